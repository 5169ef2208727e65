; Windows: registers siberiamix:// for the user at install (electron-builder's `protocols` covers
; macOS only), so Stripe Checkout's return link opens the app before its first launch, and removes
; the registration at uninstall, so no key is left pointing at a deleted executable.
!macro customInstall
  WriteRegStr HKCU "Software\Classes\siberiamix" "" "URL:Siberia Mix"
  WriteRegStr HKCU "Software\Classes\siberiamix" "URL Protocol" ""
  WriteRegStr HKCU "Software\Classes\siberiamix\DefaultIcon" "" "$INSTDIR\${APP_EXECUTABLE_FILENAME},0"
  WriteRegStr HKCU "Software\Classes\siberiamix\shell\open\command" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "%1"'
!macroend

!macro customUnInstall
  DeleteRegKey HKCU "Software\Classes\siberiamix"
!macroend
