# Makes EC2 calls with boto3 (an independent client of moto and the fault proxy) and prints one JSON
# result per call: the response, or the error code, message and HTTP status boto3 reports, with the
# number of retries botocore made. Usage: ec2_calls.py '{"endpoint": …, "maxAttempts": 3, "calls": [{"op": "run_instances", "params": {…}}]}'
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

request = json.loads(sys.argv[1])
client = boto3.client(
    "ec2",
    endpoint_url=request["endpoint"],
    region_name="us-east-1",
    aws_access_key_id="AKIDTEST",
    aws_secret_access_key="x",
    config=Config(retries={"mode": "standard", "total_max_attempts": request.get("maxAttempts", 1)}, connect_timeout=5, read_timeout=30),
)

results = []
for call in request["calls"]:
    try:
        response = getattr(client, call["op"])(**call.get("params", {}))
        metadata = response.pop("ResponseMetadata")
        results.append({"ok": True, "retries": metadata.get("RetryAttempts", 0), "response": response})
    except ClientError as error:
        metadata = error.response.get("ResponseMetadata", {})
        results.append(
            {
                "ok": False,
                "code": error.response["Error"]["Code"],
                "message": error.response["Error"]["Message"],
                "status": metadata.get("HTTPStatusCode"),
                "retries": metadata.get("RetryAttempts", 0),
                "text": str(error),
            }
        )
print(json.dumps(results, default=str))
