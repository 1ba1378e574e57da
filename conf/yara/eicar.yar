// SPDX-License-Identifier: MIT
// The EICAR anti-virus test file: 68 printable bytes every scanner is
// expected to flag. It lets an operator check, end to end, that YARA
// scanning of attachments and of files inside archives works.

rule EICAR_Test_File : test antivirus
{
    meta:
        description = "EICAR anti-virus test file"
        reference = "https://www.eicar.org/download-anti-malware-testfile/"
    strings:
        $eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    condition:
        $eicar at 0 and filesize < 256
}
