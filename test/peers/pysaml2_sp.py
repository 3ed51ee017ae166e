"""pysaml2 (Debian's python3-pysaml2) acting as a SAML service provider that nobody here wrote.

Run with /usr/bin/python3: Debian's pysaml2 is installed for the system Python only. pysaml2 takes
about a second to import, so one process serves a whole test file: it reads one JSON command per
line on stdin and answers each with one JSON line on stdout. Signatures are made and checked by
the xmlsec1 binary, pysaml2's default crypto backend, against the IdP metadata it was given.

Commands ("op"); every one but "configure" names the SP by its "entityId":

  configure   entityId, acsUrl, artifactAcsUrl, sloUrl, certPem, keyPem, nameIdFormats,
              idpMetadata (Portico's metadata XML): sets up one more SP
              -> {"metadata": the SP's own metadata, as pysaml2 writes it}
  authn       nameIdFormat (or null: no NameIDPolicy), relayState
              -> {"requestId", "url"}: a signed HTTP-Redirect AuthnRequest
  acs         samlResponse (base64, as POSTed), requestId (or null: IdP-initiated)
              -> {"ok": true, "nameId", "nameIdFormat", "attributes", "assertionSigned",
                  "responseSigned"} or {"ok": false, "error": "<exception class>: <message>"}
  logout      nameId (a value an earlier "acs" returned)
              -> {"url"}: a signed HTTP-Redirect LogoutRequest for that subject
  logoutResponse  samlResponse (the query's SAMLResponse value)
              -> {"ok", "status"}
  logoutRequest   samlRequest (the query's SAMLRequest value), nameId
              -> {"ok": the request named that subject and pysaml2 logged it out, "status"}
"""

import json
import os
import sys
import tempfile
import traceback
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_ARTIFACT, BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.s_utils import decode_base64_and_inflate
from saml2.samlp import STATUS_SUCCESS, logout_response_from_string

# entity ID -> {"client": Saml2Client, "names": {NameID text: NameID}}
service_providers = {}
work_dir = tempfile.mkdtemp(prefix="portico-pysaml2-")


def write(name, text):
    path = os.path.join(work_dir, name)
    with open(path, "w") as handle:
        handle.write(text)
    return path


def configure(command):
    config = SPConfig()
    config.load(
        {
            "entityid": command["entityId"],
            "key_file": write("sp-%d.key" % len(service_providers), command["keyPem"]),
            "cert_file": write("sp-%d.crt" % len(service_providers), command["certPem"]),
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "metadata": {"inline": [command["idpMetadata"]]},
            # The IdP and this process share the machine's clock; a little slack, as deployed SPs have.
            "accepted_time_diff": 60,
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [
                            (command["acsUrl"], BINDING_HTTP_POST),
                            (command["artifactAcsUrl"], BINDING_HTTP_ARTIFACT),
                        ],
                        "single_logout_service": [(command["sloUrl"], BINDING_HTTP_REDIRECT)],
                    },
                    "name_id_format": command["nameIdFormats"],
                    "authn_requests_signed": True,
                    # pysaml2 7 still signs with SHA-1 unless told; Portico refuses SHA-1 requests.
                    "signing_algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                    "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
                    "logout_requests_signed": True,
                    # pysaml2's defaults, written out: both the Response and its Assertion signed.
                    "want_response_signed": True,
                    "want_assertions_signed": True,
                    "allow_unsolicited": True,
                }
            },
        }
    )
    service_providers[command["entityId"]] = {"client": Saml2Client(config), "names": {}}
    metadata = create_metadata_string(None, config=config)
    return {"metadata": metadata.decode("utf-8") if isinstance(metadata, bytes) else metadata}


def idp_entity_id(client):
    (entity_id,) = client.metadata.identity_providers()
    return entity_id


def location_of(http_info):
    return dict(http_info["headers"])["Location"]


def authn(sp, command):
    client = sp["client"]
    request_id, info = client.prepare_for_authenticate(
        entityid=idp_entity_id(client),
        relay_state=command.get("relayState", ""),
        binding=BINDING_HTTP_REDIRECT,
        nameid_format=command.get("nameIdFormat"),
    )
    return {"requestId": request_id, "url": location_of(info)}


def acs(sp, command):
    client = sp["client"]
    request_id = command.get("requestId")
    outstanding = {request_id: "/"} if request_id else {}
    try:
        response = client.parse_authn_request_response(command["samlResponse"], BINDING_HTTP_POST, outstanding)
    except Exception as error:  # a Response pysaml2 refuses, with its reason
        return {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}
    if response is None:
        return {"ok": False, "error": "pysaml2 returned no response"}
    name_id = response.name_id
    sp["names"][name_id.text] = name_id
    return {
        "ok": True,
        "nameId": name_id.text,
        "nameIdFormat": name_id.format,
        "attributes": response.ava,
        "assertionSigned": response.assertion.signature is not None,
        "responseSigned": response.response.signature is not None,
    }


def logout(sp, command):
    client = sp["client"]
    answers = client.global_logout(sp["names"][command["nameId"]])
    (binding, http_info) = answers[idp_entity_id(client)]
    return {"url": location_of(http_info)}


def logout_response(sp, command):
    response = sp["client"].parse_logout_request_response(command["samlResponse"], BINDING_HTTP_REDIRECT)
    status = response.response.status.status_code.value
    return {"ok": status == STATUS_SUCCESS, "status": status}


def logout_request(sp, command):
    http_info = sp["client"].handle_logout_request(
        command["samlRequest"], sp["names"][command["nameId"]], BINDING_HTTP_REDIRECT
    )
    # The LogoutResponse pysaml2 would send back: read its status.
    query = parse_qs(urlsplit(location_of(http_info)).query)
    answer = logout_response_from_string(decode_base64_and_inflate(query["SAMLResponse"][0]))
    status = answer.status.status_code.value
    return {"ok": status == STATUS_SUCCESS, "status": status}


operations = {
    "authn": authn,
    "acs": acs,
    "logout": logout,
    "logoutResponse": logout_response,
    "logoutRequest": logout_request,
}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        try:
            if command["op"] == "configure":
                answer = json.dumps(configure(command))
            else:
                answer = json.dumps(operations[command["op"]](service_providers[command["entityId"]], command))
        except Exception as error:  # the test reports it; the process keeps serving
            answer = json.dumps({"failed": "%s: %s" % (type(error).__name__, error), "trace": traceback.format_exc()})
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
