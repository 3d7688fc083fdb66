# SPDX-License-Identifier: BSD-3-Clause
# Finds every dependency through pkg-config and fails naming the Debian
# package that provides it.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
	message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config "
		"(or run tools/setup-deps)")
endif()

# rpmem_require_pkg(<imported target> <pkg-config module> <debian package>)
function(rpmem_require_pkg target module debpkg)
	pkg_check_modules(${target} QUIET IMPORTED_TARGET GLOBAL ${module})
	if(NOT ${target}_FOUND)
		message(FATAL_ERROR "${module} not found: install the Debian "
			"package '${debpkg}' (apt-get install ${debpkg}, "
			"or run tools/setup-deps)")
	endif()
	message(STATUS "found ${module} ${${target}_VERSION}")
endfunction()

rpmem_require_pkg(IBVERBS libibverbs libibverbs-dev)
rpmem_require_pkg(RDMACM librdmacm librdmacm-dev)
rpmem_require_pkg(PMEM libpmem libpmem-dev)
if(RPMEM_BUILD_TESTS)
	rpmem_require_pkg(CHECK check check)
endif()

find_package(Threads REQUIRED)

# Debian's libpmemobj and libpmempool (PMDK 1.12), optional: they dlopen
# librpmem.so.1 for a pool set's REPLICA line, and the rdma tests
# test/rdma/obj_test.c and docs/examples/pmemobj_replica.c use them that
# way with our library.  tools/setup-deps installs them, so CI builds both.
pkg_check_modules(PMEMOBJ QUIET IMPORTED_TARGET GLOBAL libpmemobj)
pkg_check_modules(PMEMPOOL QUIET IMPORTED_TARGET GLOBAL libpmempool)
if(PMEMOBJ_FOUND AND PMEMPOOL_FOUND)
	set(RPMEM_HAVE_PMEMOBJ ON)
	message(STATUS "found libpmemobj ${PMEMOBJ_VERSION} and libpmempool "
		"${PMEMPOOL_VERSION}: building the libpmemobj remote-replica "
		"tests (rdma.obj_*) and docs/examples/pmemobj_replica")
else()
	set(RPMEM_HAVE_PMEMOBJ OFF)
	message(STATUS "libpmemobj/libpmempool not found: NOT building the "
		"libpmemobj remote-replica tests (rdma.obj_*) nor "
		"docs/examples/pmemobj_replica (apt-get install libpmemobj-dev "
		"libpmempool-dev, or run tools/setup-deps)")
endif()
