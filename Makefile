# fastpath: `make run` (conformance + quick benchmark) and `make test` (the test suite)
# are the whole set-up on a fresh Debian 12 machine, as root.
SHELL := /bin/bash
.DEFAULT_GOAL := run

CLANG      ?= clang-19
ARCH_INC   := /usr/include/$(shell gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -I bpf/include -I $(ARCH_INC)
DEB_PKGS   := clang clang-19 clang-format-19 llvm libbpf-dev libelf-dev zlib1g-dev pkg-config bpftool iproute2 iputils-ping ethtool procps tcpdump nftables curl iperf3 openssh-server

BPF_SRC    := $(wildcard bpf/*.bpf.c)
BPF_OBJ    := $(patsubst bpf/%.bpf.c,build/bpf/%.bpf.o,$(BPF_SRC))
BPF_HDR    := $(wildcard bpf/include/*.h)
FIX_SRC    := $(wildcard test/fixtures/bpf/*.bpf.c)
FIX_OBJ    := $(patsubst test/fixtures/bpf/%.bpf.c,build/test-bpf/%.bpf.o,$(FIX_SRC))
# The datapath with one XDP forwarding rule left out, for the tests that check the wire
# matrix catches it (bpf/include/xdp_fwd.h).
FAULT_OBJ  := build/test-bpf/fastpath-fault-xdp-csum.bpf.o build/test-bpf/fastpath-fault-xdp-mtu.bpf.o
ADDON      := native/build/Release/fastpath.node
ADDON_SRC  := $(wildcard native/src/*.cc native/src/*.h) native/binding.gyp
TS_SRC     := $(shell find src native netns test -name '*.ts' 2>/dev/null) tsconfig.json
TS_STAMP   := dist/.stamp

.PHONY: setup build install uninstall run test bench-check bench-baseline clean bpf-verify-clang14 schema lint format format-c mutate-quick

setup:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	@if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --no-fund --no-audit --loglevel=error; fi

build: $(BPF_OBJ) $(FIX_OBJ) $(FAULT_OBJ) $(ADDON) $(TS_STAMP)

build/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDR)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

build/test-bpf/%.bpf.o: test/fixtures/bpf/%.bpf.c $(BPF_HDR)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

build/test-bpf/fastpath-fault-xdp-%.bpf.o: bpf/fastpath.bpf.c $(BPF_HDR)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -DFP_PLANTED_FAULT_XDP_$(shell echo $* | tr a-z A-Z) -c $< -o $@

# The same sources must also build (and later verify) with Debian's default clang-14.
bpf-verify-clang14:
	@mkdir -p build/bpf-clang14
	@for f in $(BPF_SRC); do clang-14 $(BPF_CFLAGS) -c $$f -o build/bpf-clang14/$$(basename $${f%.c}).o || exit 1; done

$(ADDON): $(ADDON_SRC)
	cd native && flock .build.lock npx --no-install node-gyp rebuild --nodedir=/usr --loglevel=error >/dev/null

# dist/ is rebuilt whole so a deleted source never leaves a stale test behind.
$(TS_STAMP): $(TS_SRC)
	flock .dist.lock bash -c 'rm -rf dist && npx --no-install tsc -p tsconfig.json && chmod +x dist/src/cli.js && touch $@'

# scenarios/schema.json is generated from the configuration model (src/config).
schema: $(TS_STAMP)
	node dist/src/config/write-schema.js

# The C that clang-format keeps in shape (the generated CRC tables are left as written).
CLANG_FORMAT ?= clang-format-19
C_FORMATTED = $(wildcard bpf/*.c) $(filter-out bpf/include/crc32c_tables.h,$(wildcard bpf/include/*.h)) $(wildcard native/src/*.cc native/src/*.h test/fixtures/bpf/*.c)

# eslint (type-checked rules), prettier --check, tsc --noEmit, the schemas are current, no
# import cycles, C formatted. CI runs it before make test.
lint: setup $(TS_STAMP)
	npx --no-install eslint src netns native/index.ts test
	npx --no-install prettier --check 'src/**/*.ts' 'netns/**/*.ts' 'test/**/*.ts' native/index.ts
	npx --no-install tsc -p tsconfig.json --noEmit
	node dist/src/config/write-schema.js --check
	npx --no-install ava dist/test/layout/import-cycles.test.js dist/test/config/schema-file.test.js
	$(CLANG_FORMAT) --dry-run --Werror $(C_FORMATTED)

# Formats the TypeScript (prettier); its result is committed on its own.
format:
	npx --no-install prettier --write 'src/**/*.ts' 'netns/**/*.ts' 'test/**/*.ts' native/index.ts

# Formats the C of bpf/ and native/ (.clang-format).
format-c:
	$(CLANG_FORMAT) -i $(C_FORMATTED)

# `fastpath` on the PATH: a link to this checkout's build (make uninstall removes it).
PREFIX ?= /usr/local
install: setup build
	ln -sfn $(CURDIR)/dist/src/cli.js $(PREFIX)/bin/fastpath
	@echo "installed $(PREFIX)/bin/fastpath -> $(CURDIR)/dist/src/cli.js"

uninstall:
	rm -f $(PREFIX)/bin/fastpath

run: setup build
	node dist/src/cli.js run

# Every test file runs under ava (TAP), then the leftover check runs on its own, last.
test: setup build
	@bash test/run-all.sh

# A fresh quick benchmark against the committed baseline: exit 1 on a significant
# regression beyond 15% (Mann-Whitney at alpha 0.01 on the raw samples). Test-run
# durations move in ~10 ns steps, so on ~100 ns figures a 10% gate would flag one step.
BENCH_CHECK_DIR := results/runs/bench-check
# Two quick runs: a regression counts only when both show it (this VM's speed moves
# between runs, and a single run flags a different metric each time).
bench-check: setup build
	@rm -rf $(BENCH_CHECK_DIR)
	node dist/src/cli.js bench quick --out $(BENCH_CHECK_DIR)/1
	node dist/src/cli.js bench quick --out $(BENCH_CHECK_DIR)/2
	node dist/src/cli.js compare results/baseline/quick.json $$(ls -d $(BENCH_CHECK_DIR)/1/*/ | tail -n 1)result.json \
	  --confirm $$(ls -d $(BENCH_CHECK_DIR)/2/*/ | tail -n 1)result.json --threshold 15% --markdown $(BENCH_CHECK_DIR)/compare.md

# Re-records the baseline (commit the result with a message saying why).
bench-baseline: setup build
	@rm -rf $(BENCH_CHECK_DIR)
	node dist/src/cli.js bench quick --out $(BENCH_CHECK_DIR)
	cp $$(ls -d $(BENCH_CHECK_DIR)/*/ | tail -n 1)result.json results/baseline/quick.json

# Mutation testing for a pull request (not part of make test): 20 seeded mutants of the
# datapath and the control plane against the cheap stages (packet mode, the fuzz pass),
# two at a time. The full run: fastpath mutate --sample 100 (see src/mutate/README.md).
MUTATE_SEED ?= 1
mutate-quick: setup build
	node dist/src/cli.js mutate --sample 20 --seed $(MUTATE_SEED) --stages packet,fuzz --jobs 2 --out results/runs/mutate-quick-$$(date -u +%Y%m%dT%H%M%SZ)

clean:
	rm -rf build dist native/build
