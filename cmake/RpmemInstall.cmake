# SPDX-License-Identifier: BSD-3-Clause
# What "cmake --install" puts besides the targets' own install rules:
# librpmem.pc, the CMake package (find_package(librpmem), imported target
# librpmem::rpmem) and the daemon's sample configuration.  Components:
#   lib     librpmem.so.1                          (package librpmem1)
#   dev     header, .so, .pc, CMake package, man3/man7, examples
#                                                   (librpmem-dev)
#   daemon  rpmemd, rpmem-ddio, man1/man5/man8, sample config  (rpmemd)
#   tools   rpmem-bench and its man page          (librpmem-tools)
# see cmake/RpmemPackage.cmake for the packages.
include(CMakePackageConfigHelpers)

set(RPMEM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/librpmem)
set(RPMEM_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# librpmem.pc: paths relative to ${pcfiledir} where the install dirs are
# relative (the default), absolute where they were set absolute
function(rpmem_pc_path out dir)
	if(IS_ABSOLUTE "${dir}")
		set(${out} "${dir}" PARENT_SCOPE)
	else()
		set(${out} "\${prefix}/${dir}" PARENT_SCOPE)
	endif()
endfunction()
if(IS_ABSOLUTE "${RPMEM_PKGCONFIG_DIR}")
	set(RPMEM_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
	file(RELATIVE_PATH rel "/${RPMEM_PKGCONFIG_DIR}" "/")
	string(REGEX REPLACE "/$" "" rel "${rel}")
	set(RPMEM_PC_PREFIX "\${pcfiledir}/${rel}")
endif()
rpmem_pc_path(RPMEM_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
rpmem_pc_path(RPMEM_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/librpmem.pc.in
	${PROJECT_BINARY_DIR}/librpmem.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/librpmem.pc
	DESTINATION ${RPMEM_PKGCONFIG_DIR} COMPONENT dev)

# the CMake package
install(EXPORT librpmemTargets NAMESPACE librpmem::
	DESTINATION ${RPMEM_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/librpmemConfig.cmake.in
	${PROJECT_BINARY_DIR}/librpmemConfig.cmake
	INSTALL_DESTINATION ${RPMEM_CMAKE_DIR}
	NO_SET_AND_CHECK_MACRO)
write_basic_package_version_file(
	${PROJECT_BINARY_DIR}/librpmemConfigVersion.cmake
	VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/librpmemConfig.cmake
	${PROJECT_BINARY_DIR}/librpmemConfigVersion.cmake
	DESTINATION ${RPMEM_CMAKE_DIR} COMPONENT dev)

# the daemon's sample configuration and the target setup guide, in the
# documentation directory of the rpmemd package
set(RPMEM_DAEMON_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/rpmemd)
install(FILES ${PROJECT_SOURCE_DIR}/docs/target-setup.md
	DESTINATION ${RPMEM_DAEMON_DOCDIR} COMPONENT daemon)
install(FILES ${PROJECT_SOURCE_DIR}/docs/rpmemd.conf.sample
	DESTINATION ${RPMEM_DAEMON_DOCDIR}/examples COMPONENT daemon)
