"""The capacity and estate report: input models, plotly figures, the HTML and the PDF."""
