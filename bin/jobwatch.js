#!/usr/bin/env node
// A clone and the container image run the TypeScript sources, whose types Node.js 22.18+
// strips. Node.js does not strip types under node_modules, so the npm package ships the
// JavaScript that `npm pack` builds into dist/ and no src/. src/ wins when both exist, so
// a leftover dist/ in a clone does not run in place of the edited sources.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const source = new URL('../src/cli/main.ts', import.meta.url);
await import(existsSync(source) ? source.href : '../dist/cli/main.js');
