"""Deployment policy: the Kubernetes manifests stay locked down and wired to real settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from overstap_gateway.settings import GatewaySettings
from overstap_taxonomy.settings import TaxonomySettings

K8S = Path(__file__).resolve().parent.parent / "deploy" / "k8s"
SETTINGS = {"OVERSTAP_GATEWAY_": GatewaySettings, "OVERSTAP_TAXONOMY_": TaxonomySettings}


def documents() -> list[dict[str, Any]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def deployments() -> list[dict[str, Any]]:
    return [d for d in documents() if d["kind"] == "Deployment"]


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_default_deny_network_policy() -> None:
    policies = [d for d in documents() if d["kind"] == "NetworkPolicy"]
    deny = [
        p for p in policies if p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    ]
    assert deny and all("ingress" not in p["spec"] and "egress" not in p["spec"] for p in deny)


@pytest.mark.parametrize("deployment", deployments(), ids=lambda d: d["metadata"]["name"])
def test_every_deployment_is_locked_down_and_probed(deployment: dict[str, Any]) -> None:
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    for container in pod["containers"]:
        sc = container["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"]["drop"] == ["ALL"]
        assert container["readinessProbe"] and container["livenessProbe"]
        assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"]


@pytest.mark.parametrize("deployment", deployments(), ids=lambda d: d["metadata"]["name"])
def test_environment_variables_are_real_settings(deployment: dict[str, Any]) -> None:
    for container in deployment["spec"]["template"]["spec"]["containers"]:
        for var in container.get("env", []):
            name = var["name"]
            if name.startswith("OTEL_"):
                continue
            prefix = next(p for p in SETTINGS if name.startswith(p))
            field = name.removeprefix(prefix).lower()
            assert field in SETTINGS[prefix].model_fields, f"{name} is not a setting of {SETTINGS[prefix].__name__}"


def test_grpc_services_have_grpc_probes_and_a_service() -> None:
    services = {d["metadata"]["name"] for d in documents() if d["kind"] == "Service"}
    for deployment in deployments():
        name = deployment["metadata"]["name"]
        assert name in services
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        if any(p["name"] == "grpc" for p in container["ports"]):
            assert "grpc" in container["readinessProbe"]
