// LZF, the compression of strings in RDB files and DUMP payloads (Redis
// ships liblzf; this is an independent implementation of the same format).
//
// A compressed stream is a sequence of
//   literal run:     000LLLLL then L+1 bytes (1..32 literal bytes)
//   back reference:  LLLOOOOO [LLLLLLLL if LLL == 7] OOOOOOOO
//                    copies len+2 bytes (len = LLL, plus the extra byte when
//                    LLL is 7) from `offset + 1` bytes back in the output,
//                    offset being the 13-bit OOOOO OOOOOOOO.
#pragma once

#include <cstddef>

namespace grabkv::storage {

// Compresses n bytes at in into out (room for out_cap bytes). Returns the
// compressed size, or 0 when the result would not fit in out_cap.
size_t LzfCompress(const void* in, size_t n, void* out, size_t out_cap);

// Decompresses n bytes at in into out, which must receive exactly out_len
// bytes. Returns false on any malformed input (a reference before the start
// of the output, a run past either buffer, a size other than out_len).
bool LzfDecompress(const void* in, size_t n, void* out, size_t out_len);

}  // namespace grabkv::storage
