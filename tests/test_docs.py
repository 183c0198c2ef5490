"""The docs pages work with no internet; the OpenAPI document describes everything with examples."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.docs import INIT_URL

ABSOLUTE = re.compile(r"""(?:https?:)?//[\w.-]+""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_everything_from_the_app(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    html = response.text
    assert not ABSOLUTE.findall(html), ABSOLUTE.findall(html)
    assets = re.findall(r"""(?:src|href)="([^"]+)\"""", html)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        # The libraries, and Swagger UI's start (a small script of ours: no inline script).
        assert len(fetched.content) > (200 if asset == INIT_URL else 1000), asset
    assert '"/openapi.json"' in html or 'spec-url="/openapi.json"' in html


def _has_example(node: dict[str, Any]) -> bool:
    return "example" in node or "examples" in node


def _missing(schema: dict[str, Any]) -> list[str]:
    missing: list[str] = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            missing += _missing_in_operation(f"{method.upper()} {path}", operation)
    for name, model in schema["components"]["schemas"].items():
        missing += _missing_in_model(name, model)
    return missing


def _missing_in_operation(where: str, operation: dict[str, Any]) -> list[str]:
    missing: list[str] = []
    if not operation.get("summary") or not operation.get("description", operation.get("summary")):
        missing.append(f"{where}: summary")
    for parameter in operation.get("parameters", []):
        label = f"{where} parameter {parameter['name']}"
        if not parameter.get("description"):
            missing.append(f"{label}: description")
        if not (_has_example(parameter) or _has_example(parameter.get("schema", {}))):
            missing.append(f"{label}: example")
    return missing


def _missing_in_model(name: str, model: dict[str, Any]) -> list[str]:
    if "enum" in model:
        return [] if model.get("description") else [f"enum {name}: description"]
    missing: list[str] = []
    if not model.get("description"):
        missing.append(f"model {name}: description")
    if not _has_example(model):
        missing.append(f"model {name}: example")
    for field, spec in model.get("properties", {}).items():
        if not spec.get("description"):
            missing.append(f"{name}.{field}: description")
        if not _has_example(spec):
            missing.append(f"{name}.{field}: example")
    return missing


def test_openapi_describes_every_operation_parameter_model_and_field(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["paths"]
    assert _missing(schema) == []


def test_openapi_errors_are_problem_details(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for operation in item.values():
            for code, response in operation["responses"].items():
                # ACLED's own shape under /api/; UCDP's endpoint answers problem details.
                if code.startswith("4") and path.startswith("/api/") and "/gedevents/" not in path:
                    example = response["content"]["application/json"]["example"]
                    assert example["success"] is False
                elif code.startswith("4"):
                    assert list(response["content"]) == ["application/problem+json"]
