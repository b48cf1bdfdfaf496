"""Deployment policy: the Kubernetes manifests stay locked down and wired to real settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from overstap_extractor.settings import VacancySettings
from overstap_gateway.settings import GatewaySettings
from overstap_matcher.settings import MatcherSettings
from overstap_passport.settings import PassportSettings
from overstap_taxonomy.settings import TaxonomySettings

K8S = Path(__file__).resolve().parent.parent / "deploy" / "k8s"
SETTINGS = {
    "OVERSTAP_GATEWAY_": GatewaySettings,
    "OVERSTAP_TAXONOMY_": TaxonomySettings,
    "OVERSTAP_PASSPORT_": PassportSettings,
    "OVERSTAP_MATCHER_": MatcherSettings,
    "OVERSTAP_VACANCY_": VacancySettings,
}
# Settings that hold secrets: only ever from a Secret, never a literal in a manifest.
SECRET_FIELDS = {"principal_key", "master_key", "master_key_id", "signing_key", "database_url", "keystore_url"}


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


def _env(deployment: dict[str, Any]) -> dict[str, dict[str, Any]]:
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {var["name"]: var for var in container.get("env", [])}


@pytest.mark.parametrize("deployment", deployments(), ids=lambda d: d["metadata"]["name"])
def test_every_service_runs_as_production_and_takes_secrets_from_secrets(deployment: dict[str, Any]) -> None:
    env = _env(deployment)
    prefix = next(p for p in SETTINGS if any(name.startswith(p) for name in env))
    assert env[prefix + "ENVIRONMENT"]["value"] == "production"
    for name, var in env.items():
        if name.removeprefix(prefix).lower() in SECRET_FIELDS:
            assert "value" not in var and "secretKeyRef" in var["valueFrom"], f"{name} must come from a Secret"


def test_gateway_and_passport_share_the_principal_key() -> None:
    by_name = {d["metadata"]["name"]: _env(d) for d in deployments()}
    gateway = by_name["gateway"]["OVERSTAP_GATEWAY_PRINCIPAL_KEY"]["valueFrom"]["secretKeyRef"]
    for service in ("passport", "matcher", "vacancy"):
        key = by_name[service][f"OVERSTAP_{service.upper()}_PRINCIPAL_KEY"]["valueFrom"]["secretKeyRef"]
        assert key == gateway, service
    assert by_name["gateway"]["OVERSTAP_GATEWAY_PASSPORT_TARGET"]["value"] == "passport:50052"
    assert by_name["gateway"]["OVERSTAP_GATEWAY_VACANCY_TARGET"]["value"] == "vacancy:50054"
    assert by_name["matcher"]["OVERSTAP_MATCHER_VACANCY_TARGET"]["value"] == "vacancy:50054"
    assert {"OVERSTAP_GATEWAY_ISSUER", "OVERSTAP_GATEWAY_JWKS_URL"} <= set(by_name["gateway"])


def test_the_manifests_production_settings_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gateway, passport and vacancy settings load with what the manifests give them (secrets filled in)."""
    configs = {d["metadata"]["name"]: d for d in documents() if d["kind"] == "ConfigMap"}
    fill = {
        "principal-key": "p" * 48,
        "master-key": "a2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5LWtleS0=",
        "signing-key": "c2lnbi1zaWduLXNpZ24tc2lnbi1zaWduLXNpZ24tc2k=",
        "master-key-id": "prod-1",
        "database-url": "postgresql+asyncpg://passport@db/passport",
        "keystore-url": "postgresql+asyncpg://keys@keys-db/keys",
    }
    for name, settings in (("gateway", GatewaySettings), ("passport", PassportSettings), ("vacancy", VacancySettings)):
        deployment = next(d for d in deployments() if d["metadata"]["name"] == name)
        for var_name, var in _env(deployment).items():
            if "value" in var:
                monkeypatch.setenv(var_name, var["value"])
            elif "secretKeyRef" in var["valueFrom"]:
                monkeypatch.setenv(var_name, fill[var["valueFrom"]["secretKeyRef"]["key"]])
            else:
                ref = var["valueFrom"]["configMapKeyRef"]
                monkeypatch.setenv(var_name, configs[ref["name"]]["data"][ref["key"]])
        assert settings().environment == "production"
