# Sourced by the README's commands (run.sh, test.sh, bench.sh): installs the Debian packages a fresh machine of
# this kind lacks, and nothing when they are there. Usage: ensure_system_packages postgresql redis [chromium]
ensure_system_packages() {
  local missing=()
  for wanted in "$@"; do
    case "$wanted" in
      postgresql) [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]] || missing+=(postgresql-15) ;;
      redis) command -v redis-server >/dev/null 2>&1 || missing+=(redis-server) ;;
      # The browser tests drive Debian's Chromium with Playwright (no browser download).
      chromium) [[ -x /usr/bin/chromium ]] || missing+=(chromium) ;;
      *) echo "ensure_system_packages: unknown package '$wanted'" >&2; return 2 ;;
    esac
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "installing ${missing[*]}"
    # A fresh machine's package lists may be empty or old.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}
