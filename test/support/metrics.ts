import assert from "node:assert/strict";
import type { LightMyRequestResponse } from "fastify";
import { adminPassword, basicAuth, type TestServer } from "./server.ts";

/**
 * The value of one sample in Prometheus's text format, as a scraper reads it: the line whose name
 * and labels (all of them, in any order) match; undefined when there is none.
 */
export const sample = (
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined => {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort();
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? "").match(/\w+="(?:[^"\\]|\\.)*"/g)?.sort() ?? [];
    if (have.length === wanted.length && have.every((label, i) => label === wanted[i]))
      return Number(match[3]);
  }
  return undefined;
};

/** `GET /metrics` on the admin listener, as an admin (or with `authorization`, or none). */
export const metricsResponse = (
  server: TestServer,
  authorization: string | null = basicAuth("admin", adminPassword),
): Promise<LightMyRequestResponse> =>
  server.adminApp.inject({
    method: "GET",
    url: "/metrics",
    headers: authorization === null ? {} : { authorization },
  });

/** The text a scraper with an admin's credentials reads. */
export const scrape = async (server: TestServer): Promise<string> => {
  const response = await metricsResponse(server);
  assert.equal(response.statusCode, 200, response.body);
  return response.body;
};
