"""OneLogin's python3-saml (Debian's python3-onelogin-saml2) acting as a strict SAML SP.

Run with /usr/bin/python3: Debian's xmlsec bindings are installed for the system Python only.
Reads one JSON object on stdin:

  samlResponse        base64 of the Response, as the SP receives it in the POST
  requestId           the AuthnRequest ID the SP sent, or null (IdP-initiated)
  idpEntityId, idpCertPem
  spEntityId, acsUrl
  wantAssertionsSigned, wantMessagesSigned, wantAttributeStatement, wantAssertionsEncrypted
  rejectDeprecatedAlgorithm
  spCertPem, spPrivateKeyPem   (optional; to decrypt an EncryptedAssertion)

and prints {"valid": bool, "error": str|null, "nameId": str|null, "attributes": {...}}.
"""

import json
import sys
from urllib.parse import urlsplit

from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

# What python3-saml 1.13+ refuses when rejectDeprecatedAlgorithm is set. Debian 12 ships 1.12, which
# does not know the setting yet, so the same check is made here on the document it validated.
DEPRECATED = {
    "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#sha1",
}


def request_data(acs_url):
    """The request as the SP's web framework would describe it: the POST to the ACS URL."""
    parts = urlsplit(acs_url)
    return {
        "https": "on" if parts.scheme == "https" else "off",
        "http_host": parts.netloc,
        "script_name": parts.path,
        "get_data": {},
        "post_data": {},
    }


def deprecated_algorithms(document):
    found = []
    for node in OneLogin_Saml2_XML.query(document, "//ds:SignatureMethod | //ds:Reference/ds:DigestMethod"):
        algorithm = node.get("Algorithm")
        if algorithm in DEPRECATED:
            found.append(algorithm)
    return found


def main():
    case = json.load(sys.stdin)
    sp = {
        "entityId": case["spEntityId"],
        "assertionConsumerService": {"url": case["acsUrl"], "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST},
        "NameIDFormat": OneLogin_Saml2_Constants.NAMEID_UNSPECIFIED,
    }
    if case.get("spPrivateKeyPem"):
        sp["x509cert"] = case["spCertPem"]
        sp["privateKey"] = case["spPrivateKeyPem"]
    settings = OneLogin_Saml2_Settings(
        {
            "strict": True,
            "debug": False,
            "sp": sp,
            "idp": {
                "entityId": case["idpEntityId"],
                "singleSignOnService": {
                    "url": "https://idp.invalid/idp/SSO.saml2",
                    "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
                },
                "x509cert": case["idpCertPem"],
            },
            "security": {
                "wantAssertionsSigned": case["wantAssertionsSigned"],
                "wantMessagesSigned": case["wantMessagesSigned"],
                "wantAttributeStatement": case["wantAttributeStatement"],
                "wantAssertionsEncrypted": case.get("wantAssertionsEncrypted", False),
                "rejectDeprecatedAlgorithm": case["rejectDeprecatedAlgorithm"],
            },
        },
        sp_validation_only=True,
    )
    result = {"valid": False, "error": None, "nameId": None, "attributes": {}}
    try:
        response = OneLogin_Saml2_Response(settings, case["samlResponse"])
        valid = response.is_valid(request_data(case["acsUrl"]), case.get("requestId"))
        if valid and case["rejectDeprecatedAlgorithm"]:
            deprecated = deprecated_algorithms(response.get_xml_document())
            if deprecated:
                valid = False
                result["error"] = "Deprecated signature algorithm found: " + ", ".join(deprecated)
        result["valid"] = bool(valid)
        if valid:
            result["nameId"] = response.get_nameid()
            result["attributes"] = response.get_attributes()
        elif result["error"] is None:
            result["error"] = response.get_error()
    except Exception as error:  # a Response OneLogin cannot even read is a rejection, with its reason
        result["error"] = "%s: %s" % (type(error).__name__, error)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
