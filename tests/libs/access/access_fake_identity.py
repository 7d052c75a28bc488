"""A stand-in for identity's two public contracts: the JWKS and the revocation list."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import jwt
from access_support import SigningKey
from fastapi import FastAPI, Header, HTTPException


@dataclass
class FakeIdentity:
    """Serves `GET /.well-known/jwks.json` and `GET /auth/revocations` from in-memory state."""

    keys: list[SigningKey] = field(default_factory=lambda: [SigningKey()])
    revoked: set[str] = field(default_factory=set)
    hits: Counter[str] = field(default_factory=Counter)
    down: bool = False

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.jwk() for key in self.keys]}

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/jwks.json")
        async def jwks() -> dict[str, Any]:
            self.hits["jwks"] += 1
            if self.down:
                raise HTTPException(503)
            return self.jwks()

        @app.get("/auth/revocations")
        async def revocations(authorization: str = Header("")) -> dict[str, list[str]]:
            self.hits["revocations"] += 1
            if self.down:
                raise HTTPException(503)
            token = authorization.removeprefix("Bearer ")
            try:
                claims = jwt.decode(
                    token,
                    key=self.keys[0].private.public_key(),
                    algorithms=["EdDSA"],
                    audience="identity",
                    issuer="uponyaji-identity",
                )
            except jwt.InvalidTokenError:
                raise HTTPException(401) from None
            if claims["sid"] in self.revoked:
                raise HTTPException(401)
            return {"sids": sorted(self.revoked)}

        return app
