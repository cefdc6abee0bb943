# PLACEHOLDER — replaced by the mbedTLS helper: defines ag::mbedcrypto.
add_library(ag_mbedcrypto INTERFACE)
add_library(ag::mbedcrypto ALIAS ag_mbedcrypto)
