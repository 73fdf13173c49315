#!/usr/bin/env node
// Node.js 22.18+ runs the TypeScript sources directly by stripping types.
import '../src/cli/main.ts';
