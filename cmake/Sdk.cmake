# The plugin SDK (install component "sdk"): the driver kit's headers and the CMake package
# that gives Acquila::sdk and acquila_add_plugin() (docs/plugins.md).
include(CMakePackageConfigHelpers)

file(STRINGS ${PROJECT_SOURCE_DIR}/devices/Plugin.h api_line REGEX "^#define ACQUILA_PLUGIN_API [0-9]+")
string(REGEX REPLACE ".* ([0-9]+)$" "\\1" ACQUILA_PLUGIN_API "${api_line}")
set(ACQUILA_SDK_INCLUDE_DIR include/acquila)
set(ACQUILA_PLUGIN_INSTALL_DIR lib/acquila/plugins)

# Everything devices/DriverKit.h and devices/Plugin.h include, and nothing else.
set(ACQUILA_SDK_HEADERS
  devices/Plugin.h devices/DriverKit.h devices/Device.h devices/DriverParams.h
  core/model/DriverSchema.h core/model/LabConfig.h core/model/DeviceDescription.h
  core/model/DType.h core/model/RunTypes.h core/util/Result.h)
foreach(header ${ACQUILA_SDK_HEADERS})
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/${header} DESTINATION ${ACQUILA_SDK_INCLUDE_DIR}/${dir} COMPONENT sdk)
endforeach()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/AcquilaConfig.cmake.in
  ${PROJECT_BINARY_DIR}/AcquilaConfig.cmake
  INSTALL_DESTINATION lib/cmake/Acquila
  PATH_VARS ACQUILA_SDK_INCLUDE_DIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/AcquilaConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/AcquilaConfig.cmake ${PROJECT_BINARY_DIR}/AcquilaConfigVersion.cmake
  DESTINATION lib/cmake/Acquila COMPONENT sdk)
