"""ESCO concepts whose identity the tests rely on (ESCO v1.1.1 URIs are stable)."""

OCC = "http://data.europa.eu/esco/occupation/"
SKILL = "http://data.europa.eu/esco/skill/"
CASHIER = OCC + "2b871272-bd61-4206-bd1a-0b96d7023098"  # kassamedewerker, ISCO 5230
FORKLIFT_OPERATOR = OCC + "eeac6251-1974-42f5-91ed-513c6c883755"  # heftruckchauffeur, ISCO 8344
GENERAL_NURSE = OCC + "8d3e8aaa-791b-4c75-a465-f3f827028f50"  # algemeen verpleegkundige, ISCO 2221
SOFTWARE_DEVELOPER = OCC + "f2b15a0e-e65a-438a-affb-29b9d50b77d1"  # ISCO 2512
PROCESS_PAYMENTS = SKILL + "bdcac0c8-b77a-4640-9eaf-c0cf3efd1e23"  # essential for cashier
PYTHON = SKILL + "ccd0a1d9-afda-43d9-b901-96344886e14d"
ISCO_5230 = "http://data.europa.eu/esco/isco/C5230"
