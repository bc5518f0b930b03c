# loyaltyd: the two commands a newcomer needs are `make run` and `make test`.
SWIFT ?= swift
LOCAL := .local
BINARY = $(shell $(SWIFT) build --show-bin-path)/loyaltyd
PREFIX ?= /usr/local
# Where `make install` puts what is not under PREFIX; the Debian package (make deb) sets Debian's paths.
SYSTEMD_UNIT_DIR ?= /etc/systemd/system
UDEV_RULES_DIR ?= /etc/udev/rules.d
ZSH_COMPLETION_DIR ?= $(PREFIX)/share/zsh/site-functions
# `install -s`: the installed binary carries no symbols (half the size: 173 MB to 86 MB); empty keeps them.
INSTALL_STRIP ?= -s

.PHONY: run dev-env test stress build setup bench check-warnings check-units shipped man install deb startup-order clean

## Install missing system packages (as root) or print the command that would.
setup:
	@.ci/system-packages

## Build the debug binary; fail on any compiler warning in our own code.
build: setup
	@mkdir -p $(LOCAL)
	$(SWIFT) build 2>&1 | tee $(LOCAL)/build.log
	@$(MAKE) --no-print-directory check-warnings

# Any warning not from a dependency's checkout counts, macro expansions (#expect) included; SwiftPM's
# note about pkg-config's -pthread flag is not a compiler warning.
check-warnings:
	@if grep -E '(warning|error):' $(LOCAL)/build.log | grep -v -e '/.build/checkouts/' -e 'prohibited flag' ; then \
		echo "compiler warnings in our code: fix them" >&2; exit 1; fi

## Run the daemon on the example config, with its database and socket under ./.local (no root, no reader).
## Prints its `export` line first: pasted in another terminal, every other command finds this daemon.
run: build
	@mkdir -p $(LOCAL)
	@echo "loyaltyd: till socket $(LOCAL)/till.sock, database $(LOCAL)/loyaltyd.sqlite; Ctrl-C stops it"
	@echo "for the other commands, in another terminal:"
	@$(MAKE) --no-print-directory dev-env
	$(BINARY) serve --config config/loyaltyd.yaml --socket $(LOCAL)/till.sock --database $(LOCAL)/loyaltyd.sqlite

## The one line that points every command at `make run`'s configuration, database and socket.
dev-env:
	@echo "export LOYALTYD_CONFIG=$(CURDIR)/config/loyaltyd.yaml LOYALTYD_DATABASE=$(CURDIR)/$(LOCAL)/loyaltyd.sqlite LOYALTYD_SOCKET=$(CURDIR)/$(LOCAL)/till.sock"

## Every test: unit, integration against the real binary, and the systemd units.
## The reliability tests print their figures (commits, kills, frames, memory …) at the end.
test: build check-units
	$(SWIFT) build --build-tests 2>&1 | tee $(LOCAL)/build-tests.log
	@cp $(LOCAL)/build-tests.log $(LOCAL)/build.log && $(MAKE) --no-print-directory check-warnings
	@rm -f $(FIGURES)
	LOYALTYD_FIGURES=$(FIGURES) $(SWIFT) test --skip-build; status=$$?; \
		echo "== reliability figures"; cat $(FIGURES) 2>/dev/null; \
		.ci/leftover-processes || status=1; exit $$status

FIGURES = $(CURDIR)/$(LOCAL)/figures.txt
FUZZ_SECONDS ?= 120
FUZZER = .build-fuzz/release/loyaltyd-fuzz
STRESS_SUITES = CrashRecoveryTests|HostileClientTests|DiskFaultTests|SocketAccessTests|PrivacyTests|WatchdogTests|FaultLoop|ChainFaultTests

## The long reliability runs (issue 7): kill -9 20 times under load, 10,000 retries, 100,000 hostile
## frames, pcscd and USB fault loops, and the till-protocol fuzzer for FUZZ_SECONDS (libFuzzer,
## built with -sanitize=fuzzer,address in .build-fuzz); every figure is printed at the end.
stress: build
	$(SWIFT) build --build-tests 2>&1 | tee $(LOCAL)/build-tests.log
	@cp $(LOCAL)/build-tests.log $(LOCAL)/build.log && $(MAKE) --no-print-directory check-warnings
	@rm -f $(FIGURES); mkdir -p $(LOCAL)/fuzz-corpus
	$(SWIFT) build --scratch-path .build-fuzz -c release --product loyaltyd-fuzz \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
	$(FUZZER) -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -dict=Tests/Fuzz/till-protocol.dict \
		-artifact_prefix=$(LOCAL)/fuzz- -print_final_stats=1 $(LOCAL)/fuzz-corpus Tests/Fuzz/corpus 2>$(LOCAL)/fuzz.log; \
		status=$$?; tail -n 8 $(LOCAL)/fuzz.log; \
		awk -v status=$$status -v seconds=$(FUZZ_SECONDS) '/^stat::number_of_executed_units/ {runs=$$2} \
			/^stat::new_units_added/ {units=$$2} /^stat::peak_rss_mb/ {rss=$$2} \
			END {printf "figures[fuzz] seconds=%s inputs_run=%s new_corpus_units=%s peak_rss_MiB=%s crashes=%d\n", \
				seconds, runs, units, rss, status != 0}' $(LOCAL)/fuzz.log >> $(FIGURES); \
		exit $$status
	LOYALTYD_STRESS=1 LOYALTYD_FIGURES=$(FIGURES) $(SWIFT) test --skip-build --filter '$(STRESS_SUITES)'; status=$$?; \
		echo "== reliability figures (make stress)"; cat $(FIGURES) 2>/dev/null; exit $$status

check-units:
	systemd/check-units.sh

## How the shipped daemon is built (target `shipped`, used by bench, man, install, and so the Debian
## package): release, with --static-swift-stdlib added (the Swift runtime linked in: the store box needs
## no toolchain), and laid out so that an idle daemon keeps little of its binary in memory (make bench:
## idle resident memory):
## - every function in a section of its own, and the functions that start-up, the idle loop and a
##   first quote and commit run listed in Sources/loyaltyd/startup.order, which lld places side by
##   side: the 1.6 MB of code an idle daemon runs is otherwise spread over all of its 27 MB, and the
##   kernel maps code 64 KB around each page touched. `make startup-order` rewrites the list;
## - relative relocations packed (-z pack-relative-relocs, read by glibc 2.36 and later): the 3 MB
##   of them that a position-independent binary otherwise reads at every start shrink to 25 KB;
## - no dynamic symbol table of our own symbols (--no-export-dynamic): nothing looks them up.
SHIPPED_FLAGS = -c release -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld -Xswiftc -Xfrontend -Xswiftc -function-sections \
	-Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic \
	-Xlinker --symbol-ordering-file=$(CURDIR)/Sources/loyaltyd/startup.order -Xlinker --no-warn-symbol-ordering

## The shipped daemon, $(RELEASE_BIN)/loyaltyd. SwiftPM does not know that the linker reads
## startup.order: a binary not newer than the list is removed first, so that it is linked again.
shipped: setup
	@bin="$(RELEASE_BIN)/loyaltyd"; if [ -e "$$bin" ] && [ ! "$$bin" -nt Sources/loyaltyd/startup.order ]; then rm -f "$$bin"; fi
	$(SWIFT) build $(SHIPPED_FLAGS) --static-swift-stdlib --product loyaltyd

## Figures for the performance targets, measured in one run on this machine, on the daemon built as
## it is shipped. The bench itself links Swift Testing's support code, which has no static build: it
## stays dynamic, and is built in a directory of its own (the static and the dynamic build compile the
## modules differently, so in one directory each would recompile everything the other built). It is
## compiled with the shipped flags too, so its in-process figures (raw SQLite, store commits) run the
## store's code as the daemon does.
BENCH_SCRATCH = .build-bench
bench: shipped
	$(SWIFT) build --scratch-path $(BENCH_SCRATCH) $(SHIPPED_FLAGS) --product loyaltyd-bench
	$$($(SWIFT) build --scratch-path $(BENCH_SCRATCH) -c release --show-bin-path)/loyaltyd-bench --binary $(RELEASE_BIN)/loyaltyd $(BENCH_ARGS)

RELEASE_BIN = $$($(SWIFT) build -c release --show-bin-path)

## The man page loyaltyd(1) in $(LOCAL)/man, generated from the argument parser by swift-argument-parser's
## generate-manual tool (built from the package checkout, offline); every subcommand in one page. Both with
## the shipped flags: with the same flags neither build recompiles what the other built.
man: shipped
	$(SWIFT) build $(SHIPPED_FLAGS) --static-swift-stdlib --product generate-manual
	@mkdir -p $(LOCAL)/man
	$(RELEASE_BIN)/generate-manual $(RELEASE_BIN)/loyaltyd --date $$(date -u +%Y-%m-%d) --output-directory $(LOCAL)/man
	@# A blank line in a help text is a new paragraph (.Pp) to mdoc, not an empty input line (groff warns).
	sed -i 's/^$$/.Pp/' $(LOCAL)/man/loyaltyd.1

## Install the binary (stripped, Swift runtime linked in: the store box needs no toolchain), its man page
## and shell completions (generated from the argument parser), the example config, the systemd units
## (ExecStart= pointing at PREFIX's binary) and the sysusers entry (as root).
install: man
	install -D -m 0755 $(INSTALL_STRIP) $(RELEASE_BIN)/loyaltyd $(DESTDIR)$(PREFIX)/bin/loyaltyd
	install -D -m 0644 $(LOCAL)/man/loyaltyd.1 $(DESTDIR)$(PREFIX)/share/man/man1/loyaltyd.1
	@mkdir -p $(LOCAL)/completions
	$(RELEASE_BIN)/loyaltyd --generate-completion-script bash | sed '1{/^#!/d}' > $(LOCAL)/completions/loyaltyd.bash
	$(RELEASE_BIN)/loyaltyd --generate-completion-script zsh > $(LOCAL)/completions/_loyaltyd
	$(RELEASE_BIN)/loyaltyd --generate-completion-script fish > $(LOCAL)/completions/loyaltyd.fish
	install -D -m 0644 $(LOCAL)/completions/loyaltyd.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/loyaltyd
	install -D -m 0644 $(LOCAL)/completions/_loyaltyd $(DESTDIR)$(ZSH_COMPLETION_DIR)/_loyaltyd
	install -D -m 0644 $(LOCAL)/completions/loyaltyd.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/loyaltyd.fish
# 0644: the service reads it as user loyaltyd, and it holds no secret (chain passwords and keys are files of their own).
	install -D -m 0644 config/loyaltyd.yaml $(DESTDIR)/etc/loyaltyd/loyaltyd.yaml.example
	test -e $(DESTDIR)/etc/loyaltyd/loyaltyd.yaml || install -D -m 0644 config/loyaltyd.yaml $(DESTDIR)/etc/loyaltyd/loyaltyd.yaml
	@mkdir -p $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	sed 's|^ExecStart=/usr/local/bin/loyaltyd |ExecStart=$(PREFIX)/bin/loyaltyd |' systemd/loyaltyd.service > $(DESTDIR)$(SYSTEMD_UNIT_DIR)/loyaltyd.service
	grep -q '^ExecStart=$(PREFIX)/bin/loyaltyd ' $(DESTDIR)$(SYSTEMD_UNIT_DIR)/loyaltyd.service
	install -D -m 0644 systemd/loyaltyd.socket $(DESTDIR)$(SYSTEMD_UNIT_DIR)/loyaltyd.socket
	install -D -m 0644 systemd/loyaltyd.sysusers $(DESTDIR)/usr/lib/sysusers.d/loyaltyd.conf
	install -D -m 0644 udev/blacklist-nfc-pn533.conf $(DESTDIR)/etc/modprobe.d/blacklist-nfc-pn533.conf
	install -D -m 0644 udev/70-loyaltyd-readers.rules $(DESTDIR)$(UDEV_RULES_DIR)/70-loyaltyd-readers.rules

DEB_VERSION = $(shell sed -nE 's/.*current = "([^"]+)".*/\1/p' Sources/LoyaltyDaemon/LoyaltydVersion.swift)
DEB_TREE = .build/deb/loyaltyd-$(DEB_VERSION)

## The Debian package .build/deb/loyaltyd_VERSION_ARCH.deb, built with Debian's tools (dpkg-buildpackage,
## debhelper) from config/debian/ in a tree assembled under .build/deb; `make install` fills it.
## Needs debhelper (apt-get install debhelper); .ci/deb-check installs the package and checks it.
deb: setup
	@command -v dh >/dev/null || { echo "make deb needs debhelper: apt-get install --no-install-recommends debhelper" >&2; exit 1; }
	rm -rf .build/deb && mkdir -p $(DEB_TREE)
	cp -R config/debian $(DEB_TREE)/debian
	printf 'loyaltyd (%s) unstable; urgency=medium\n\n  * Built from the loyaltyd repository at commit %s.\n\n -- %s  %s\n' \
		'$(DEB_VERSION)' "$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
		"$$(sed -n 's/^Maintainer: //p' config/debian/control)" "$$(date -R)" > $(DEB_TREE)/debian/changelog
	cd $(DEB_TREE) && SWIFT='$(SWIFT)' dpkg-buildpackage -us -uc -b
	@ls -l .build/deb/*.deb

## Rewrite Sources/loyaltyd/startup.order from the functions the shipped daemon runs at start-up, idle,
## and for a first quote and commit (recorded with valgrind's callgrind; see Tests/Benchmarks/startup-order).
## The binary is then linked again with the new list.
startup-order: shipped
	Tests/Benchmarks/startup-order "$(RELEASE_BIN)/loyaltyd" Sources/loyaltyd/startup.order
	@$(MAKE) --no-print-directory shipped

clean:
	rm -rf .build .build-fuzz $(BENCH_SCRATCH) $(LOCAL)
