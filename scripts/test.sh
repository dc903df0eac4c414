#!/usr/bin/env bash
# `npm test`: type-checks, lints and checks formatting, then runs the suite on Node 24 (the `node` dev dependency, the runtime of
# the image and of `engines`) and again on the Node that runs npm (the machine's own), when that is
# another version, so both stay supported. Arguments go to jest (`npm test -- test/deploy`).
set -euo pipefail
cd "$(dirname "$0")/.."
node24="$PWD/node_modules/.bin/node"
machine="${npm_node_execpath:-$(command -v node)}"
"$node24" node_modules/typescript/bin/tsc -p tsconfig.json --noEmit
echo "== lint and format"
"$node24" node_modules/eslint/bin/eslint.js .
"$node24" node_modules/prettier/bin/prettier.cjs --check "**/*.{ts,js,mjs,cjs}" --log-level warn
echo "== jest on Node $("$node24" --version)"
"$node24" node_modules/jest/bin/jest.js "$@"
if [ "$("$machine" --version)" != "$("$node24" --version)" ]; then
  echo "== jest on Node $("$machine" --version) (the machine's)"
  "$machine" node_modules/jest/bin/jest.js "$@"
fi
