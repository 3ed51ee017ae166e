import assert from "node:assert/strict";
import { type Case, communityProfile, createContact, describeRules } from "./crud-rules.ts";
import { newUser } from "./support.ts";

/** Creating users by REST: required fields, formats, uniqueness, profiles, contacts and licences. */
const cases: Case[] = [
  {
    name: "a valid user is created: 201 with an 18-character 005 id",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 1)),
    status: 201,
  },
  {
    name: "missing required fields are listed together",
    run: (h) => {
      const { Alias: _a, TimeZoneSidKey: _t, ...body } = newUser(h.info, 2);
      return h.api("POST", "sobjects/User", body);
    },
    status: 400,
    errorCode: "REQUIRED_FIELD_MISSING",
    fields: ["Alias", "TimeZoneSidKey"],
    message: "Required fields are missing: [Alias, TimeZoneSidKey]",
  },
  {
    name: "Alias longer than 8",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 3, { Alias: "abcdefghij" })),
    status: 400,
    errorCode: "STRING_TOO_LONG",
    fields: ["Alias"],
    message: "Alias: data value too large: abcdefghij (max length=8)",
  },
  {
    name: "Username longer than 80",
    run: (h) =>
      h.api("POST", "sobjects/User", newUser(h.info, 4, { Username: `${"a".repeat(75)}@x.example.com` })),
    status: 400,
    errorCode: "STRING_TOO_LONG",
    fields: ["Username"],
  },
  {
    name: "a time zone outside the restricted picklist",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 5, { TimeZoneSidKey: "Mars/Olympus" })),
    status: 400,
    errorCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    fields: ["TimeZoneSidKey"],
    message: "Time Zone: bad value for restricted picklist field: Mars/Olympus",
  },
  {
    name: "en_GB is a locale but not a language",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 6, { LanguageLocaleKey: "en_GB" })),
    status: 400,
    errorCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    fields: ["LanguageLocaleKey"],
  },
  {
    name: "a Username that is not email-shaped",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 7, { Username: "ada.lovelace" })),
    status: 400,
    errorCode: "FIELD_INTEGRITY_EXCEPTION",
    fields: ["Username"],
    message: /^Username must be in the form of an email address/,
  },
  {
    name: "a Username already used in this org, in another case",
    run: (h) =>
      h.api("POST", "sobjects/User", newUser(h.info, 8, { Username: h.info.adminUsername.toUpperCase() })),
    status: 400,
    errorCode: "DUPLICATE_USERNAME",
    fields: ["Username"],
    message:
      /^Duplicate Username\.<br>The username already exists in this or another Salesforce organization/,
  },
  {
    name: "a Username taken in another org",
    run: (h) =>
      h.api("POST", "sobjects/User", newUser(h.info, 9, { Username: "taken.elsewhere@example.com" })),
    status: 400,
    errorCode: "DUPLICATE_USERNAME",
  },
  {
    name: "a Federation ID already in use, compared case-insensitively",
    run: (h) =>
      h.api(
        "POST",
        "sobjects/User",
        newUser(h.info, 10, { FederationIdentifier: "CASEY.CUSTOMER@customers.acme-emulator.example.com" }),
      ),
    status: 400,
    errorCode: "DUPLICATE_VALUE",
    fields: ["FederationIdentifier"],
    message: "This Federation ID is already in use. Use a different Federation ID.",
  },
  {
    name: "a nickname already in use",
    run: (h) =>
      h.api("POST", "sobjects/User", newUser(h.info, 11, { CommunityNickname: "portico.integration" })),
    status: 400,
    errorCode: "DUPLICATE_COMM_NICKNAME",
    fields: ["CommunityNickname"],
  },
  {
    name: "an Email that is not an address",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 12, { Email: "not-an-email" })),
    status: 400,
    errorCode: "INVALID_EMAIL_ADDRESS",
    fields: ["Email"],
    message: "Email: invalid email address: not-an-email",
  },
  {
    name: "a ProfileId that is not an id",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 13, { ProfileId: "Standard User" })),
    status: 400,
    errorCode: "MALFORMED_ID",
    fields: ["ProfileId"],
    message: "Profile ID: id value of incorrect type: Standard User",
  },
  {
    name: "a ProfileId that names an Account",
    run: (h) =>
      h.api("POST", "sobjects/User", newUser(h.info, 14, { ProfileId: h.info.accounts["Acme Customers"] })),
    status: 400,
    errorCode: "FIELD_INTEGRITY_EXCEPTION",
    fields: ["ProfileId"],
  },
  {
    name: "a ProfileId that names no profile",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 15, { ProfileId: "00e000000000000AAA" })),
    status: 400,
    errorCode: "INVALID_CROSS_REFERENCE_KEY",
    fields: ["ProfileId"],
  },
  {
    name: "a UserRoleId that names no role",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 16, { UserRoleId: "00E000000000000EAA" })),
    status: 400,
    errorCode: "INVALID_CROSS_REFERENCE_KEY",
    fields: ["UserRoleId"],
  },
  {
    name: "an unknown field",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 17, { Foo__c: "x" })),
    status: 400,
    errorCode: "INVALID_FIELD",
    message: "No such column 'Foo__c' on sobject of type User",
  },
  {
    name: "an Id in a create body",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 18, { Id: h.info.adminUserId })),
    status: 400,
    errorCode: "INVALID_FIELD",
    message: "The Id field should not be specified in the sobject data.",
  },
  {
    name: "a read-only field on create",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 19, { UserType: "Standard" })),
    status: 400,
    errorCode: "INVALID_FIELD_FOR_INSERT_UPDATE",
    fields: ["UserType"],
    message: /^Unable to create\/update fields: UserType\./,
  },
  {
    name: "a boolean field given a string",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 20, { IsActive: "yes" })),
    status: 400,
    errorCode: "JSON_PARSER_ERROR",
  },
  {
    name: "a body that is not JSON",
    run: (h) => h.api("POST", "sobjects/User", '{"Username": }'),
    status: 400,
    errorCode: "JSON_PARSER_ERROR",
    message: /^Unexpected character \('}' \(code 125\)\)/,
  },
  {
    name: "a body that is not JSON by its media type",
    run: (h) => h.api("POST", "sobjects/User", "Username=a", { "content-type": "text/plain" }),
    status: 415,
    errorCode: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    name: "a community profile without a contact",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 21, { ProfileId: communityProfile(h) })),
    status: 400,
    errorCode: "INVALID_CROSS_REFERENCE_KEY",
    message: "Cannot create a portal user without contact.",
  },
  {
    name: "a community user whose account owner has no role",
    run: async (h) => {
      const contactId = await createContact(h, "Roleless Holdings", "22");
      return h.api(
        "POST",
        "sobjects/User",
        newUser(h.info, 22, { ProfileId: communityProfile(h), ContactId: contactId }),
      );
    },
    status: 400,
    errorCode: "UNKNOWN_EXCEPTION",
    message: "portal account owner must have a role",
  },
  {
    name: "a second community user for the same contact",
    run: async (h) => {
      const contactId = await createContact(h, "Acme Customers", "23");
      const first = await h.api(
        "POST",
        "sobjects/User",
        newUser(h.info, 23, { ProfileId: communityProfile(h), ContactId: contactId }),
      );
      assert.equal(first.status, 201);
      return h.api(
        "POST",
        "sobjects/User",
        newUser(h.info, 24, { ProfileId: communityProfile(h), ContactId: contactId }),
      );
    },
    status: 400,
    errorCode: "PORTAL_USER_ALREADY_EXISTS_FOR_CONTACT",
  },
  {
    name: "a contact on an internal user",
    run: async (h) => {
      const contactId = await createContact(h, "Acme Customers", "25");
      return h.api("POST", "sobjects/User", newUser(h.info, 25, { ContactId: contactId }));
    },
    status: 400,
    errorCode: "FIELD_INTEGRITY_EXCEPTION",
    fields: ["ContactId"],
  },
  {
    name: "no licence left for the profile",
    run: async (h) => {
      await h.control("PUT", "/licenses", { Salesforce: 3 });
      return h.api("POST", "sobjects/User", newUser(h.info, 26));
    },
    status: 400,
    errorCode: "LICENSE_LIMIT_EXCEEDED",
    message: "License Limit Exceeded",
  },
  {
    name: "reactivating a user needs a free licence",
    run: async (h) => {
      await h.control("PUT", "/licenses", { Salesforce: 3 });
      const created = await h.api("POST", "sobjects/User", newUser(h.info, 27, { IsActive: false }));
      assert.equal(created.status, 201, "an inactive user takes no licence");
      return h.api("PATCH", `sobjects/User/${(created.body as { id: string }).id}`, { IsActive: true });
    },
    status: 400,
    errorCode: "LICENSE_LIMIT_EXCEEDED",
  },
  {
    name: "a feature licence with none left",
    run: async (h) => {
      await h.control("PUT", "/licenses", { UserPermissionsMarketingUser: 0 });
      return h.api("POST", "sobjects/User", newUser(h.info, 28, { UserPermissionsMarketingUser: true }));
    },
    status: 400,
    errorCode: "LICENSE_LIMIT_EXCEEDED",
    fields: ["UserPermissionsMarketingUser"],
  },
];

describeRules("single-record CRUD rules: creating users", cases);
