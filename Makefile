GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build test demo bench bench-history bench-seal lint compat realworld release-snapshot

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/secretguard ./cmd/secretguard

test:
	$(GO) test ./...

demo: build
	./scripts/demo.sh

# Benchmarks on generated corpora: scan (5,500 files), seal (1,000 Secrets),
# --staged (10,000-file repository) and --history (2,000 commits). See
# docs/performance.md for the figures and the peer comparisons.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./scan ./transform ./cmd/secretguard

# The history benchmark, every tool side by side on one repository: a real
# checkout (REPO=/tmp/codedang after git clone https://github.com/skkuding/codedang
# /tmp/codedang), or without REPO a generated repository of that shape.
bench-history:
	./scripts/bench-history.sh $(REPO)

# The sealing benchmark, secretguard against kubeseal once per Secret, for 100
# and 1,000 Secrets (DIR=... to measure another file system; SETTLE=61 on ext4
# without a journal: see the script).
bench-seal:
	./scripts/bench-seal.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet ./...
	staticcheck ./...
	$(GO) mod tidy -diff

# Decrypts our SealedSecrets with the real kubeseal (installs it when missing).
compat:
	bash compat/run.sh

# Every finding on real repositories, to read one by one (docs/realworld.md):
#   make realworld REPOS="path/to/checkout path/to/repo.git ..."
realworld:
	./scripts/realworld.sh $(REPOS)

# The release as a tag would publish it, without publishing (dist/), and the
# action's install step against it: scripts/test-action-install.sh.
release-snapshot:
	bash scripts/test-action-install.sh
