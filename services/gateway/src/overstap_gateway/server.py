"""Entry point of the gateway process (uvicorn)."""

from __future__ import annotations

import uvicorn
from overstap_common.logs import configure_logging
from overstap_common.runtime import tune_gc
from overstap_common.telemetry import configure_tracing

from overstap_gateway.app import create_app
from overstap_gateway.settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    configure_logging("gateway", settings.log_level, settings.log_format)
    configure_tracing("overstap-gateway")
    app = create_app(settings)
    tune_gc()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
