// SPDX-License-Identifier: MIT
// PowerShell download cradles: one line that fetches a second stage from
// the web and runs it in memory. They hide in scripts, shortcuts, HTA
// files, macros and even text attachments the user is told to paste.

rule PowerShell_Download_Cradle : script downloader
{
    meta:
        description = "PowerShell that downloads and runs code"
    strings:
        $ps = "powershell" nocase
        $dl1 = "DownloadString" nocase
        $dl2 = "DownloadFile" nocase
        $dl3 = "Invoke-WebRequest" nocase
        $dl4 = "Net.WebClient" nocase
        $dl5 = "Start-BitsTransfer" nocase
        $dl6 = "iwr " nocase
        $run1 = "IEX" nocase
        $run2 = "Invoke-Expression" nocase
        $run3 = "Start-Process" nocase
        $run4 = "-EncodedCommand" nocase
        $run5 = " -enc " nocase
    condition:
        filesize < 10MB and $ps and any of ($dl*) and any of ($run*)
}

rule PowerShell_Encoded_Command : script
{
    meta:
        description = "PowerShell started with a base64 command line"
    strings:
        $a = /powershell(\.exe)?["']?\s+[^\r\n]{0,80}-(e|ec|enc|encodedcommand)\s+[A-Za-z0-9+\/=]{40,}/ nocase
    condition:
        filesize < 10MB and $a
}
