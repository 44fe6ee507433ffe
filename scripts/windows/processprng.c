/*
 * bcryptprimitives.dll for running iislint.exe under Wine 8 (scripts/windows-check.sh only; never
 * shipped). Rust's standard library (1.78 and later) gets random bytes (for HashMap seeds) from
 * ProcessPrng in bcryptprimitives.dll, which every supported Windows has and Wine added only in
 * 9.x: without it the .exe does not start. Placed next to the .exe, this DLL is loaded before
 * Wine's own and answers ProcessPrng from BCryptGenRandom, which Wine 8 has.
 *
 *   x86_64-w64-mingw32-gcc -shared -o bcryptprimitives.dll processprng.c -lbcrypt
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        /* BCryptGenRandom takes a ULONG length: large requests go in pieces. */
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
