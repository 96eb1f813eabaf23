"""sopxl: the SMART Kemenkeu SOP (capaian output, validation, reports) in the Excel workbook."""

__version__ = "0.1.0"
