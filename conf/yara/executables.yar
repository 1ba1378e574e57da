// SPDX-License-Identifier: MIT
// Windows programs whose bytes say so: a PE header behind an MZ stub.
// The rule exists so that YARA users can combine it with their own
// conditions; the attachments analyzer itself also flags executables and
// name/type mismatches without YARA.

rule PE_File : executable pe
{
    meta:
        description = "Windows PE executable (MZ stub and PE signature)"
    condition:
        filesize > 64 and uint16(0) == 0x5A4D and
        uint32(0x3C) < filesize - 4 and uint32(uint32(0x3C)) == 0x00004550
}
