"""The floor: a bare nameko HTTP → RPC → reply, with nothing of Ponte in it. Run as two
processes (``nameko run bench.floor:EchoGateway`` and ``nameko run bench.floor:Echo``) so it pays
the same hops as Ponte's gateway → identity."""
from nameko.rpc import ServiceRpc, rpc
from nameko.web.handlers import http


class Echo:
    name = "bench_echo"

    @rpc
    def echo(self, value: str) -> dict:
        return {"value": value}


class EchoGateway:
    name = "bench_echo_gateway"
    echo = ServiceRpc("bench_echo")

    @http("GET", "/echo")
    def get(self, request) -> str:  # noqa: ANN001
        return str(self.echo.echo("ping"))
