# SPDX-License-Identifier: MIT
# Thin driver over CMake. See README.md.
#   make          build build/mailscope
#   make test     install dependencies, build, run every test (normal,
#                 sanitizers, fuzz smoke, format check)
#   make demo     install dependencies, build, analyze samples/
#   make bench    run the benchmarks in bench/
#   make install  install to PREFIX (default /usr/local)

BUILD ?= build
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all build deps test demo bench install clean format

all: build

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

deps:
	@scripts/install-deps.sh

test: deps
	@scripts/test-all.sh

demo: deps
	@mkdir -p $(BUILD) && $(MAKE) -s build >$(BUILD)/make.log 2>&1 || { cat $(BUILD)/make.log; exit 1; }
	@scripts/demo.sh $(BUILD)/mailscope

bench: deps build
	@bench/run-all.sh

install: build
	@cmake --install $(BUILD)

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf build build-asan build-fuzz
