"""The meeting's sections: each department's figures and KPIs (sales, PMC, purchasing, quality,
engineering), the variance review and the Overview's headline KPIs."""
