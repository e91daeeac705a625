"""Declaration calls: answered synchronously, handles in, errors raised at the user's line."""

from __future__ import annotations

import unittest
from typing import Dict, List, Tuple, Type

from bridged import BridgedTestCase, site_of_next_line
from fake_deployer import BUILTIN_HOST_KINDS

import hydro


class Declarations(BridgedTestCase):
    def test_options_are_sent_camel_cased_without_the_ones_left_none_and_handles_come_back(self) -> None:
        d = hydro.Deployment(name="exp", ready_timeout_ms=100, heartbeat_ms=0)
        made = self.deployer.call("deployment.new")
        self.assertEqual(made["args"], {"name": "exp", "readyTimeoutMs": 100, "heartbeatMs": 0})
        self.assertNotIn("target", made)

        local = d.Localhost()
        localhost = self.deployer.call("host")
        self.assertEqual((localhost["target"], localhost["args"]), (1, {"kind": "localhost", "options": {}, "handles": []}))
        svc = d.Service(src="./echo_server.ts", on=local, args=("--count", "3"), env={"MY_VAR": "x"}, name="server")
        service = self.deployer.call("service")
        self.assertEqual(service["target"], 1)
        # Hosts go as their handle; a tuple as a list; env keys are the user's data, never camelCased.
        self.assertEqual(service["args"], {"src": "./echo_server.ts", "on": 2, "args": ["--count", "3"], "env": {"MY_VAR": "x"}, "name": "server"})
        self.assertIsInstance(svc, hydro.Service)

    def test_cloud_machines_send_type_as_the_providers_option_and_more_options_camel_cased(self) -> None:
        d = hydro.Deployment()
        d.GcpMachine(project="my-project", zone="us-central1-a", type="e2-small", public_ip=False, boot_disk_gb=20)
        d.AwsMachine(region="eu-west-1", type="t3.micro", root_volume_gb=8)
        self.deployer.call("deployment.new")
        self.assertEqual(
            self.deployer.call("host")["args"],
            {
                "kind": "gcp",
                "options": {"project": "my-project", "zone": "us-central1-a", "machineType": "e2-small", "publicIp": False, "bootDiskGb": 20},
                "handles": [],
            },
        )
        self.assertEqual(
            self.deployer.call("host")["args"],
            {"kind": "aws", "options": {"region": "eu-west-1", "instanceType": "t3.micro", "rootVolumeGb": 8}, "handles": []},
        )

    def test_an_option_given_under_both_its_names_is_refused_here(self) -> None:
        d = hydro.Deployment()
        with self.assertRaisesRegex(TypeError, "machine_type= and type= are the same option"):
            d.GcpMachine(project="my-project", zone="us-central1-a", type="e2-small", machine_type="e2-medium")

    def test_ssh_jump_is_the_bastions_handle(self) -> None:
        d = hydro.Deployment()
        bastion = d.Ssh(host="bastion", user="me")
        d.Ssh(host="10.0.0.11", jump=bastion, private_key_path="/k")
        self.deployer.call("deployment.new")
        self.deployer.call("host")
        self.assertEqual(
            self.deployer.call("host")["args"],
            {"kind": "ssh", "options": {"host": "10.0.0.11", "jump": 2, "privateKeyPath": "/k"}, "handles": ["jump"]},
        )

    def test_a_plug_in_host_kind_is_a_method_named_as_the_deployer_registered_it(self) -> None:
        self.tearDown()
        leased = {"kind": "leased", "constructor": "LeasedHost", "aliases": {"wait": "delayMs"}}
        self.connect({"hello": "hydro-deploy", "version": 1, "hosts": [*BUILTIN_HOST_KINDS, leased]})
        d = hydro.Deployment()
        bastion = d.Ssh(host="bastion", user="me")
        d.LeasedHost(dir="/tmp/x", wait=5, via=bastion)
        for call in ("deployment.new", "host"):
            self.deployer.call(call)
        self.assertEqual(
            self.deployer.call("host")["args"],
            {"kind": "leased", "options": {"dir": "/tmp/x", "delayMs": 5, "via": 2}, "handles": ["via"]},
        )
        with self.assertRaisesRegex(AttributeError, r"'Deployment' has no attribute 'NoSuchHost' \(host kinds: AwsMachine, GcpMachine, LeasedHost, Localhost, Ssh; "):
            d.NoSuchHost(x=1)

    def test_process_ports_and_argv_and_its_address(self) -> None:
        self.deployer.answer = lambda message: {"ok": {"host": "127.0.0.1", "port": 4242}} if message["call"] == "address" else {"ok": 9}
        d = hydro.Deployment()
        redis = d.Process(command=["redis-server", "--port", "{port:main}"], on=d.Localhost(), ports={"main": 0}, stop_timeout_ms=500)
        site = site_of_next_line()
        self.assertEqual(redis.address("main"), hydro.Address(host="127.0.0.1", port=4242))
        for call in ("deployment.new", "host"):
            self.deployer.call(call)
        self.assertEqual(
            self.deployer.call("process")["args"],
            {"command": ["redis-server", "--port", "{port:main}"], "on": 9, "ports": {"main": 0}, "stopTimeoutMs": 500},
        )
        self.assertEqual(self.deployer.call("address"), {"id": 4, "call": "address", "target": 9, "args": {"port": "main"}, "site": site})

    def test_port_references_are_made_here_and_wired_by_connect_and_demux(self) -> None:
        d = hydro.Deployment()
        server = d.Service(src="s.ts", on=d.Localhost())
        clients = [d.Service(src="c.ts", on=d.Localhost()) for _ in range(2)]
        for call in ("deployment.new", "host", "service", "host", "service", "host", "service"):
            self.deployer.call(call)
        inbound = server.ports.inbound
        self.assertEqual(server.ports["in"]._wire(), {"node": server._handle, "port": "in"})
        self.deployer.no_message()  # references cost no call

        clients[0].ports.outbound.connect(inbound)
        connect = self.deployer.call("connect")
        self.assertEqual(connect["target"], 1)  # the deployment
        self.assertEqual(
            connect["args"],
            {"from": {"node": clients[0]._handle, "port": "outbound"}, "to": {"node": server._handle, "port": "inbound"}},
        )
        server.ports.outbound.demux([client.ports.inbound for client in clients])
        self.assertEqual(self.deployer.call("demux")["args"]["to"], [{"node": client._handle, "port": "inbound"} for client in clients])
        server.ports.outbound.demux({"left": clients[0].ports.inbound})
        self.assertEqual(self.deployer.call("demux")["args"]["to"], {"left": {"node": clients[0]._handle, "port": "inbound"}})


class Sites(BridgedTestCase):
    def test_every_call_names_the_users_file_and_line(self) -> None:
        site = site_of_next_line()
        d = hydro.Deployment()
        self.assertEqual(self.deployer.call("deployment.new")["site"], site)
        site = site_of_next_line()
        d.Service(src="s.ts", on=d.Localhost())
        self.assertEqual(self.deployer.call("host")["site"], site)
        self.assertEqual(self.deployer.call("service")["site"], site)


class Errors(BridgedTestCase):
    def refuse(self, error: dict) -> None:
        self.deployer.answer = lambda message: {"error": error} if message["call"] != "deployment.new" else {"ok": 1}

    def test_a_config_error_is_raised_at_the_call_with_the_users_option_names(self) -> None:
        self.deployer.answer = lambda message: {
            "error": {"type": "ConfigError", "message": "x.py:3: Deployment: readyTimeoutMs: Too small; stopTimeoutMsX, heartbeatMs: bad"}
        }
        with self.assertRaises(hydro.ConfigError) as raised:
            hydro.Deployment(ready_timeout_ms=-1)
        # Every option of the call is named as the user writes it, given or not; other words are left alone.
        self.assertEqual(str(raised.exception), "x.py:3: Deployment: ready_timeout_ms: Too small; stopTimeoutMsX, heartbeat_ms: bad")

    def test_the_alias_of_a_cloud_option_is_restored_too(self) -> None:
        self.refuse({"type": "ConfigError", "message": "gcp(): machineType: a machine type such as e2-small; sshFrom: a CIDR"})
        d = hydro.Deployment()
        with self.assertRaises(hydro.ConfigError) as raised:
            d.GcpMachine(project="p-123456", zone="us-central1-a", type="E2")
        self.assertEqual(str(raised.exception), "gcp(): type: a machine type such as e2-small; ssh_from: a CIDR")

    def test_each_deployer_class_is_raised_as_its_python_class(self) -> None:
        d = hydro.Deployment()
        cases: List[Tuple[Dict[str, str], Type[hydro.HydroError]]] = [
            ({"type": "CloudError", "message": "quota", "provider": "aws", "code": "VcpuLimitExceeded"}, hydro.CloudError),
            ({"type": "HostLostError", "message": "lost", "host": "web"}, hydro.HostLostError),
            ({"type": "ProgramFailedError", "message": "crashed", "program": "echo"}, hydro.ProgramFailedError),
            ({"type": "HydroError", "message": "no"}, hydro.HydroError),
            ({"type": "Error", "message": "a bug"}, hydro.HydroError),
        ]
        for error, cls in cases:
            self.refuse(error)
            with self.assertRaises(cls) as raised:
                d.Localhost()
            self.assertIs(type(raised.exception), cls)
            self.assertEqual(str(raised.exception), error["message"])
        self.refuse(cases[0][0])
        with self.assertRaises(hydro.CloudError) as cloud:
            d.Localhost()
        self.assertEqual((cloud.exception.provider, cloud.exception.code), ("aws", "VcpuLimitExceeded"))
        self.refuse(cases[1][0])
        with self.assertRaises(hydro.HostError) as host:
            d.Localhost()
        self.assertEqual(host.exception.host, "web")


if __name__ == "__main__":
    unittest.main()
