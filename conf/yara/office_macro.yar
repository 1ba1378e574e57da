// SPDX-License-Identifier: MIT
// VBA macros that run by themselves when a document is opened or
// closed: the first stage of most Office malware ("enable content").
// The entry point names are those the VBA runtime calls; they appear in
// clear text in the project's source streams or, compressed, still as
// literal runs in most documents.

rule Office_Macro_AutoExec : office macro
{
    meta:
        description = "Office document with a VBA project and an auto-run entry point"
    strings:
        $ole = { D0 CF 11 E0 A1 B1 1A E1 }
        $vba1 = "_VBA_PROJECT" wide nocase
        $vba2 = "vbaProject.bin" nocase
        $vba3 = "Attribute VB_Name" nocase
        $auto1 = "AutoOpen" nocase
        $auto2 = "Document_Open" nocase
        $auto3 = "Workbook_Open" nocase
        $auto4 = "Auto_Open" nocase
        $auto5 = "AutoClose" nocase
        $auto6 = "Document_Close" nocase
        $auto7 = "AutoExec" nocase
    condition:
        ($ole at 0 or $vba2 or $vba3) and any of ($vba*) and any of ($auto*)
}

rule Office_Macro_Shell_Execution : office macro
{
    meta:
        description = "VBA source calling a shell or a script host"
    strings:
        $vba = "Attribute VB_Name" nocase
        $sh1 = "WScript.Shell" nocase
        $sh2 = "Shell.Application" nocase
        $sh3 = "CreateObject(\"WScript" nocase
        $sh4 = "powershell" nocase
        $sh5 = "Shell(" nocase
    condition:
        $vba and any of ($sh*)
}
