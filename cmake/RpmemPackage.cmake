# SPDX-License-Identifier: BSD-3-Clause
# CPack: Debian packages, one per install component (cmake/RpmemInstall.cmake)
#
#   cd build && cpack -G DEB
#
#   librpmem1     lib      librpmem.so.1 (+ shlibs, ldconfig trigger)
#   librpmem-dev  dev      librpmem.h, librpmem.so, librpmem.pc, the CMake
#                          package, man3 + man7, docs/examples/*.c
#   rpmemd        daemon   rpmemd, rpmem-ddio, man1 + man5 + man8, sample
#                          rpmemd.conf, target-setup.md
#   librpmem-tools tools   client-side tools: rpmem-bench (+ man1)
#
# Depends come from dpkg-shlibdeps (dpkg-dev) plus the exact librpmem1 for
# the packages built on it.  The packages install under /usr whatever
# CMAKE_INSTALL_PREFIX is; configure with -DCMAKE_INSTALL_PREFIX=/usr to get
# Debian's multiarch library directory (lib/<triplet>) instead of lib/.
# test/install/check-deb (ctest install.deb) builds and inspects them.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME librpmem)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "librpmem")
set(RPMEM_DEB_MAINTAINER "librpmem developers <librpmem@example.org>"
	CACHE STRING "Maintainer field of the Debian packages")
set(CPACK_PACKAGE_CONTACT "${RPMEM_DEB_MAINTAINER}")
# no CPACK_PACKAGE_DESCRIPTION_SUMMARY: CPackDeb would put it before the
# first line (the summary) of every CPACK_DEBIAN_<COMPONENT>_DESCRIPTION
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)

# every component that has install rules; an install rule without a
# component lands in "Unspecified", which is packaged nowhere and makes
# ctest install.deb fail
get_cmake_property(RPMEM_COMPONENTS COMPONENTS)
set(CPACK_COMPONENTS_ALL)
foreach(c lib dev daemon tools)
	if(c IN_LIST RPMEM_COMPONENTS)
		list(APPEND CPACK_COMPONENTS_ALL ${c})
	endif()
endforeach()

set(RPMEM_DEB_RELEASE 1)
set(RPMEM_DEB_LIB_DEP "librpmem1 (= ${PROJECT_VERSION}-${RPMEM_DEB_RELEASE})")
set(CPACK_DEBIAN_PACKAGE_RELEASE ${RPMEM_DEB_RELEASE})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# a library of this project used by another of its packages: no
# dependency information for it on the build host, so dpkg-shlibdeps
# treats its directory as private and the Depends name it explicitly
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS
	${PROJECT_BINARY_DIR}/librpmem)

set(CPACK_DEBIAN_LIB_PACKAGE_NAME librpmem1)
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
# shlibs control file for the packages holding a shared library (only
# librpmem1): "librpmem 1 librpmem1 (>= 1.1.0)"
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_LIB_PACKAGE_RECOMMENDS "openssh-client")
set(CPACK_DEBIAN_LIB_DESCRIPTION
"remote persistent memory replication over RDMA - library
librpmem replicates a local memory pool to persistent memory on a remote
node over RDMA: the API of the classic PMDK librpmem 1.1, plus flush,
drain and deep persist.  The remote side is rpmemd, started through ssh.")
# the ldconfig trigger Debian policy asks of a shared library package
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_EXTRA
	${CMAKE_CURRENT_LIST_DIR}/deb/triggers)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME librpmem-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${RPMEM_DEB_LIB_DEP}")
set(CPACK_DEBIAN_DEV_DESCRIPTION
"remote persistent memory replication over RDMA - development files
The header librpmem.h, the link librpmem.so, librpmem.pc for pkg-config,
the CMake package (find_package(librpmem), target librpmem::rpmem), the
API man pages and example programs.")

set(CPACK_DEBIAN_DAEMON_PACKAGE_NAME rpmemd)
set(CPACK_DEBIAN_DAEMON_PACKAGE_SECTION net)
set(CPACK_DEBIAN_DAEMON_PACKAGE_RECOMMENDS "openssh-server")
set(CPACK_DEBIAN_DAEMON_DESCRIPTION
"remote persistent memory daemon for librpmem
rpmemd is the target side of librpmem: started by the client through
ssh, it maps pools with libpmem inside its pool-set directory and
registers them for RDMA.  Includes rpmem-ddio, which checks and switches
Intel DDIO on an RDMA NIC's PCIe root port.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME librpmem-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION utils)
# rpmem-bench links the client statically (rpmem_client_static): its
# Depends are those of dpkg-shlibdeps.  A tool linked with librpmem.so
# needs CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "${RPMEM_DEB_LIB_DEP}" here.
set(CPACK_DEBIAN_TOOLS_DESCRIPTION
"remote persistent memory replication over RDMA - client tools
rpmem-bench, the persist latency and bandwidth benchmark.")

# what Debian policy wants in every package's /usr/share/doc/<package>:
# copyright (machine-readable, the license text from LICENSE) and
# changelog.Debian.gz.  Installed by "cmake --install" too, so the
# packages still hold exactly what it installs (test/install/check-deb).
set(deb_dir ${PROJECT_BINARY_DIR}/deb-doc)
file(MAKE_DIRECTORY ${deb_dir})
file(STRINGS ${PROJECT_SOURCE_DIR}/LICENSE license_lines)
file(READ ${CMAKE_CURRENT_LIST_DIR}/deb/copyright.head copyright)
foreach(line IN LISTS license_lines)
	if(line STREQUAL "")
		string(APPEND copyright " .\n")
	else()
		string(APPEND copyright " ${line}\n")
	endif()
endforeach()
file(CONFIGURE OUTPUT ${deb_dir}/copyright CONTENT "${copyright}")
set(RPMEM_DEB_VERSION ${PROJECT_VERSION}-${RPMEM_DEB_RELEASE})
configure_file(${CMAKE_CURRENT_LIST_DIR}/deb/changelog.in
	${deb_dir}/changelog.Debian @ONLY)
# gzip -n: no name or time stamp, the same bytes in every build
execute_process(COMMAND gzip -9nf ${deb_dir}/changelog.Debian
	RESULT_VARIABLE gzip_rc)
if(NOT gzip_rc EQUAL 0)
	message(FATAL_ERROR "gzip ${deb_dir}/changelog.Debian failed")
endif()
foreach(c IN LISTS CPACK_COMPONENTS_ALL)
	string(TOUPPER ${c} uc)
	install(FILES ${deb_dir}/copyright ${deb_dir}/changelog.Debian.gz
		DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${CPACK_DEBIAN_${uc}_PACKAGE_NAME}
		COMPONENT ${c})
endforeach()

include(CPack)
