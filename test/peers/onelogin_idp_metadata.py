"""OneLogin's python3-saml reading Portico's IdP metadata, as an SP administrator's tooling would.

Run with /usr/bin/python3. Reads the metadata XML on stdin and prints JSON: for each binding
(HTTP-Redirect, HTTP-POST), what OneLogin_Saml2_IdPMetadataParser extracted (entity ID, SSO and
SLO URLs, signing certificates).
"""

import json
import sys

from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser


def main():
    metadata = sys.stdin.read()
    out = {}
    for name, binding in (
        ("redirect", OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT),
        ("post", OneLogin_Saml2_Constants.BINDING_HTTP_POST),
    ):
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(
            metadata, required_sso_binding=binding, required_slo_binding=binding
        )
        idp = parsed.get("idp", {})
        certificates = idp.get("x509certMulti", {}).get("signing") or [idp.get("x509cert")]
        out[name] = {
            "entityId": idp.get("entityId"),
            "sso": idp.get("singleSignOnService", {}).get("url"),
            "slo": idp.get("singleLogoutService", {}).get("url"),
            "nameIdFormat": parsed.get("sp", {}).get("NameIDFormat"),
            "signingCertificates": [c for c in certificates if c],
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
