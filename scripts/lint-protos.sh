#!/usr/bin/env bash
# Lints protos/ with buf (STANDARD rules). buf cannot download google/api protos offline, so the two files the
# contracts import are copied from the restored NuGet package into the gitignored .buf-deps/ first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
candidates=(
  "$packages/google.api.commonprotos/2.17.0/content/protos"
  "$packages/microsoft.aspnetcore.grpc.jsontranscoding/10.0.14/content/protos"
)

find_source() {
  local dir
  for dir in "${candidates[@]}"; do
    if [[ -f "$dir/google/api/annotations.proto" && -f "$dir/google/api/http.proto" ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

if ! src="$(find_source)"; then
  echo "lint-protos: google/api protos not in $packages; restoring NuGet packages..." >&2
  dotnet restore TenantAtlas.sln >/dev/null
  src="$(find_source)" || { echo "lint-protos: google/api/annotations.proto not found under: ${candidates[*]}" >&2; exit 1; }
fi

rm -rf .buf-deps
mkdir -p .buf-deps/google/api
cp "$src/google/api/annotations.proto" "$src/google/api/http.proto" .buf-deps/google/api/

if [[ ! -x node_modules/.bin/buf ]]; then
  npm install --no-audit --no-fund # not `npm ci`: see scripts/test.sh
fi

npx --no-install buf lint
echo "lint-protos: ok"
