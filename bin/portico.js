#!/usr/bin/env node
// The `portico` binary: registers tsx in this process and loads the TypeScript sources (no build
// step, and no wrapper process that a signal could miss). Resolved from this file, so it works
// from any working directory.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
