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
