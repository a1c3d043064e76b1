# Packaging stub: a Debian package of the executables and resources.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/ DESTINATION share/acquila)
set(CPACK_PACKAGE_NAME acquila)
set(CPACK_PACKAGE_CONTACT "Acquila maintainers")
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
