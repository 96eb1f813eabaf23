Attribute VB_Name = "Sopxl"
' sopxl: the buttons of the Capaian Output workbook.
' Each button calls one Sub below; the Sub checks that the workbook is saved and that
' Python + sopxl are installed, then asks xlwings' RunPython to run one function of
' the Python module sopxl.excel, which validates the saved file and marks the OPEN
' workbook (fills, notes, sheet "Catatan Koreksi").
' Keep this file ASCII: the VBA project is written in code page 1252.
Option Explicit

Private Const PESAN_PASANG As String = _
    "Python atau paket sopxl belum terpasang di komputer ini." & vbCrLf & vbCrLf & _
    "Pasang sekali saja (jalankan di Command Prompt / Terminal):" & vbCrLf & _
    "    pip install sopxl" & vbCrLf & _
    "    sopxl excel-setup" & vbCrLf & vbCrLf & _
    "Jika Python belum ada, pasang dulu dari https://www.python.org (centang 'Add python.exe to PATH')." & vbCrLf & _
    "Lokasi Python yang dipakai tombol ini diatur di sheet 'xlwings.conf' (baris Interpreter_Win / Interpreter_Mac)."

Private SopxlSiap As Boolean

Public Sub Validasi()
    If Not SiapJalan() Then Exit Sub
    On Error GoTo Gagal
    RunPython "import sopxl.excel; sopxl.excel.validasi()"
    Exit Sub
Gagal:
    TampilkanGalat
End Sub

Public Sub KonsolidasiSemester1()
    If Not SiapJalan() Then Exit Sub
    On Error GoTo Gagal
    RunPython "import sopxl.excel; sopxl.excel.konsolidasi_semester1()"
    Exit Sub
Gagal:
    TampilkanGalat
End Sub

Public Sub KonsolidasiSemester2()
    If Not SiapJalan() Then Exit Sub
    On Error GoTo Gagal
    RunPython "import sopxl.excel; sopxl.excel.konsolidasi_semester2()"
    Exit Sub
Gagal:
    TampilkanGalat
End Sub

Public Sub KonsolidasiTahunan()
    If Not SiapJalan() Then Exit Sub
    On Error GoTo Gagal
    RunPython "import sopxl.excel; sopxl.excel.konsolidasi_tahunan()"
    Exit Sub
Gagal:
    TampilkanGalat
End Sub

Public Sub Kirim()
    If Not SiapJalan() Then Exit Sub
    On Error GoTo Gagal
    RunPython "import sopxl.excel; sopxl.excel.kirim()"
    Exit Sub
Gagal:
    TampilkanGalat
End Sub

Public Sub StatusSop()
    If Not SiapJalan() Then Exit Sub
    On Error GoTo Gagal
    RunPython "import sopxl.excel; sopxl.excel.status()"
    Exit Sub
Gagal:
    TampilkanGalat
End Sub

' The workbook must exist on disk and hold what is on screen: sopxl reads the saved file.
Private Function SiapJalan() As Boolean
    SiapJalan = False
    If ThisWorkbook.Path = "" Then
        MsgBox "Buku kerja ini belum pernah disimpan." & vbCrLf & _
               "Simpan dulu sebagai .xlsm (File > Save As), lalu klik tombol lagi.", _
               vbExclamation, "sopxl"
        Exit Function
    End If
    If Not ThisWorkbook.Saved Then
        If MsgBox("Ada perubahan yang belum disimpan. sopxl memeriksa berkas yang tersimpan." & vbCrLf & _
                  "Simpan sekarang lalu lanjutkan?", vbYesNo + vbQuestion, "sopxl") = vbNo Then
            Exit Function
        End If
        On Error GoTo GagalSimpan
        ThisWorkbook.Save
        On Error GoTo 0
    End If
    If Not PythonSiap() Then
        MsgBox PESAN_PASANG, vbCritical, "sopxl"
        Exit Function
    End If
    SiapJalan = True
    Exit Function
GagalSimpan:
    MsgBox "Buku kerja tidak dapat disimpan: " & Err.Description, vbExclamation, "sopxl"
End Function

' Checks once per Excel session that the configured Python can import sopxl.excel.
' On Windows it runs the interpreter hidden and reads its exit code; on a Mac the
' check is left to RunPython, whose error is caught by TampilkanGalat.
Private Function PythonSiap() As Boolean
    If SopxlSiap Then
        PythonSiap = True
        Exit Function
    End If
    #If Mac Then
        SopxlSiap = True
    #Else
        Dim interpreter As String, perintah As String, kode As Long
        If GetConfig("CONDA PATH") <> "" Then
            ' a Conda environment is activated by xlwings itself: leave the check to RunPython
            SopxlSiap = True
            PythonSiap = True
            Exit Function
        End If
        interpreter = GetConfig("INTERPRETER_WIN", "")
        If interpreter = "" Then interpreter = GetConfig("INTERPRETER", "python")
        If interpreter = "pythonw" Then interpreter = "python"
        If interpreter <> "python" Then interpreter = Chr(34) & interpreter & Chr(34)
        perintah = "cmd.exe /C " & interpreter & " -c ""import sopxl.excel, xlwings"""
        On Error GoTo TidakAda
        kode = CreateObject("WScript.Shell").Run(perintah, 0, True)
        On Error GoTo 0
        SopxlSiap = (kode = 0)
    #End If
    PythonSiap = SopxlSiap
    Exit Function
TidakAda:
    PythonSiap = False
End Function

Private Sub TampilkanGalat()
    MsgBox "Tombol sopxl gagal dijalankan: " & Err.Description & vbCrLf & vbCrLf & PESAN_PASANG, _
           vbCritical, "sopxl"
End Sub
