# SPDX-License-Identifier: BSD-3-Clause
# SPDX-FileCopyrightText: the Flowgate authors
#
# Installation of the desktop integration and the man pages, and the CPack
# settings for the Debian package. Included from the top-level CMakeLists
# after add_subdirectory(src). One package, "flowgate", holds both programs
# (the desktop app and flowgate-cli), so that
#
#   apt-get install ./flowgate_<version>_amd64.deb
#
# is all a user needs. Build it with scripts/package.sh, or in a build tree:
#   cpack -G DEB            (writes <build>/packages/flowgate_<version>_<arch>.deb)
#
# The version is the CMake project version; nothing here repeats it.

if(FLOWGATE_CORE_ONLY)
    # The sanitizer presets build no app: nothing to install or package.
    return()
endif()

include(GNUInstallDirs)

set(FLOWGATE_APP_ID "io.github.flowgate.Flowgate")
set(_pkg_src "${CMAKE_CURRENT_LIST_DIR}")
set(_pkg_bin "${CMAKE_BINARY_DIR}/packaging")
file(MAKE_DIRECTORY "${_pkg_bin}")

# --- Desktop entry, AppStream metainfo, MIME type ---------------------------
install(FILES "${_pkg_src}/${FLOWGATE_APP_ID}.desktop"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/applications")
install(FILES "${_pkg_src}/${FLOWGATE_APP_ID}.metainfo.xml"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/metainfo")
install(FILES "${_pkg_src}/${FLOWGATE_APP_ID}-fgc.xml"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/mime/packages")

# --- Icons: the SVG as hicolor "scalable", PNGs rendered at build time ------
set(_icon_svg "${PROJECT_SOURCE_DIR}/resources/icons/flowgate.svg")
install(FILES "${_icon_svg}"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps"
        RENAME "${FLOWGATE_APP_ID}.svg")

find_program(FLOWGATE_RSVG_CONVERT rsvg-convert)
set(_pkg_outputs "")
if(FLOWGATE_RSVG_CONVERT)
    foreach(size IN ITEMS 16 32 48 64 128 256)
        set(_png "${_pkg_bin}/icons/${size}x${size}/${FLOWGATE_APP_ID}.png")
        add_custom_command(OUTPUT "${_png}"
            COMMAND ${CMAKE_COMMAND} -E make_directory "${_pkg_bin}/icons/${size}x${size}"
            COMMAND "${FLOWGATE_RSVG_CONVERT}" --width=${size} --height=${size} --keep-aspect-ratio
                    --format=png --output "${_png}" "${_icon_svg}"
            DEPENDS "${_icon_svg}"
            COMMENT "Rendering the ${size}x${size} application icon"
            VERBATIM)
        list(APPEND _pkg_outputs "${_png}")
        install(FILES "${_png}"
                DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps")
    endforeach()
else()
    message(WARNING "rsvg-convert not found (apt-get install librsvg2-bin): "
                    "the PNG application icons are left out of the install and the package")
endif()

# --- Man pages, generated from each program's --help -------------------------
find_program(FLOWGATE_GZIP gzip REQUIRED)
set(_manpage_script "${_pkg_src}/make-manpage.sh")
function(_flowgate_manpage target summary see_also)
    set(_page "${_pkg_bin}/man/${target}.1")
    add_custom_command(OUTPUT "${_page}.gz"
        COMMAND ${CMAKE_COMMAND} -E make_directory "${_pkg_bin}/man"
        COMMAND sh "${_manpage_script}" "$<TARGET_FILE:${target}>" "${target}"
                "${PROJECT_VERSION}" "${summary}" "${_page}" "${see_also}"
        COMMAND "${FLOWGATE_GZIP}" -9 -n -f -k "${_page}"
        DEPENDS ${target} "${_manpage_script}"
        COMMENT "Generating the ${target}(1) man page from ${target} --help"
        VERBATIM)
    set(_pkg_outputs ${_pkg_outputs} "${_page}.gz" PARENT_SCOPE)
    install(FILES "${_page}.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
endfunction()
_flowgate_manpage(flowgate-cli
    "pack, restore and verify files in parallel under a resource governor" "flowgate(1)")
_flowgate_manpage(flowgate
    "the Flowgate desktop app: pack, restore and verify files in parallel" "flowgate-cli(1)")

# --- /usr/share/doc/flowgate: copyright and, once it exists, the changelog ---
install(FILES "${PROJECT_SOURCE_DIR}/LICENSE"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/flowgate"
        RENAME copyright)
# CHANGELOG.md, when there is one, goes in as changelog.gz (Debian policy
# wants one); checked on every build so that adding it needs no re-configure.
add_custom_target(flowgate_changelog ALL
    COMMAND sh -c "if [ -f \"$1\" ]; then gzip -9 -n -c \"$1\" >\"$2.tmp\" && mv \"$2.tmp\" \"$2\"; else rm -f \"$2\"; fi"
            sh "${PROJECT_SOURCE_DIR}/CHANGELOG.md" "${_pkg_bin}/changelog.gz"
    VERBATIM)
install(FILES "${_pkg_bin}/changelog.gz" OPTIONAL
        DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/flowgate")

add_custom_target(flowgate_packaging_data ALL DEPENDS ${_pkg_outputs})

# --- CPack: the Debian package -----------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "flowgate")
set(CPACK_PACKAGE_VENDOR "the Flowgate authors")
set(CPACK_PACKAGE_CONTACT "the Flowgate authors <authors@flowgate.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/packages")
set(CPACK_STRIP_FILES ON)
# (CPACK_PACKAGE_VERSION defaults to PROJECT_VERSION.)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # flowgate_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
set(CPACK_DEBIAN_COMPRESSION_TYPE "xz")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The synopsis line is CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the rest.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"Flowgate compresses (zstd, lz4, gzip, xz), encrypts (ChaCha20-Poly1305,
AES-256-GCM) and checksums (SHA-256) files in parallel into .fgc containers,
and restores and verifies them. A resource governor (CPU and I/O tokens, a
memory limit, per-file limits) keeps the machine responsive, and every knob
can be turned while a job runs.

This package holds both programs: the Qt desktop app, flowgate, with live
charts and an advisor, and its command-line twin, flowgate-cli.")

# Libraries linked directly come from dpkg-shlibdeps. What Qt and QtKeychain
# load at run time does not show up there:
#  - qt6-qpa-plugins: Qt platform plugins (on Debian 12 the xcb plugin itself
#    is in libqt6gui6, which shlibdeps finds; later releases move it here);
#  - libqt6svg6: the SVG image plugin that draws the window icon;
#  - libsecret-1-0: dlopen()ed by QtKeychain to reach the Secret Service.
# gnome-keyring provides a Secret Service where no desktop does; Qt's own
# translations make the standard dialogs follow the German interface.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, libqt6svg6, libsecret-1-0")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "qt6-translations-l10n")

include(CPack)
