"""The layer contracts (.importlinter, checked by lint-imports in CI) cover every module: a new
module of a domain is either on its web side (routes, web, keys.auth) or held to the services'
rule, and the plumbing's contract names every domain."""

import configparser
from pathlib import Path

from tests.conftest import REPO

APP = REPO / "app"
WEB = {"routes", "web", "auth"}
NOT_DOMAINS = {"core", "ops", "__pycache__"}


def contracts() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(REPO / ".importlinter")
    return parser


def listed(section: str, option: str) -> set[str]:
    return set(contracts()[f"importlinter:contract:{section}"][option].split())


def domains() -> list[Path]:
    return sorted(
        p for p in APP.iterdir() if p.is_dir() and p.name not in NOT_DOMAINS and any(p.glob("*.py"))
    )


def test_every_service_module_is_held_to_the_services_rule() -> None:
    services = {
        f"app.{domain.name}.{module.stem}"
        for domain in domains()
        for module in domain.glob("*.py")
        if module.stem not in WEB and module.stem != "__init__"
    }
    assert listed("services-no-web", "source_modules") == services


def test_the_plumbing_may_import_no_domain() -> None:
    forbidden = listed("core", "forbidden_modules")
    assert {f"app.{domain.name}" for domain in domains()} | {"app.ops", "app.main"} == forbidden
