/* mbedTLS 2.28 adjustments for the wasm builds (emscripten and wasi flavours).
 * Installed as mbedtls/alphogen_config.h and named by MBEDTLS_USER_CONFIG_FILE in the
 * installed mbedtls/config.h, so the library and its users see the same settings.
 * The stock config stays otherwise: unused modules cost nothing once linked statically.
 * We only verify signatures and hash; nothing here needs randomness, files or clocks. */

/* The sandbox has no /dev/urandom or getrandom(), and wasm32-wasi is not "unix" to
 * entropy_poll.c (it would #error). No entropy is needed to verify signatures. */
#define MBEDTLS_NO_PLATFORM_ENTROPY

/* timing.c needs Unix signals / alarm(). */
#undef MBEDTLS_TIMING_C

/* No filesystem in a Worker: keep fopen() out of the library (pk_parse_keyfile etc.),
 * and with it the file-backed PSA key store that requires it. */
#undef MBEDTLS_FS_IO
#undef MBEDTLS_PSA_ITS_FILE_C
#undef MBEDTLS_PSA_CRYPTO_STORAGE_C

/* Sockets belong to libmbedtls, which we do not build; keep the config honest. */
#undef MBEDTLS_NET_C

/* The built-in self tests print with printf() and use rand(); we never run them. */
#undef MBEDTLS_SELF_TEST
