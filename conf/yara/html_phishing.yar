// SPDX-License-Identifier: MIT
// HTML attachments built to steal credentials: a local page with a
// password field that posts to a remote site, out of reach of the URL
// filters that guard links in the mail body; and HTML smuggling, where a
// script rebuilds a file from an embedded blob and saves it.

rule HTML_Credential_Form : html phishing
{
    meta:
        description = "HTML with a password field in a form posting to a web address"
    strings:
        $html = "<html" nocase
        $form = "<form" nocase
        $pw1 = "type=\"password\"" nocase
        $pw2 = "type='password'" nocase
        $pw3 = "type=password" nocase
        $act = /action\s*=\s*["']?https?:\/\// nocase
    condition:
        filesize < 5MB and $form and any of ($pw*) and ($act or $html)
}

rule HTML_Smuggling : html dropper
{
    meta:
        description = "HTML that builds a file from script data and saves it"
    strings:
        $blob = "new Blob(" nocase
        $b64 = "atob(" nocase
        $save1 = "msSaveOrOpenBlob" nocase
        $save2 = ".download" nocase
        $save3 = "createObjectURL" nocase
    condition:
        filesize < 20MB and $blob and $b64 and any of ($save*)
}
