# The two set-up commands: `make run` and `make test` (see README.md).
BUILD_DIR ?= build
JOBS ?= 2
RUN_ARGS ?=

.PHONY: all deps build run test bench clean

all: build

deps:
	./scripts/install-deps

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j$(JOBS)

run: build
	./$(BUILD_DIR)/kcpp server $(RUN_ARGS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j1

bench: build
	./$(BUILD_DIR)/bench/kcpp_api_bench

clean:
	rm -rf $(BUILD_DIR)
