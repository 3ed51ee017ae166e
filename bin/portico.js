#!/usr/bin/env node
// The `portico` binary: loads the TypeScript sources through tsx (no build step on Node 20).
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
