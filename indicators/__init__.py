"""总部指标上报: provinces export and upload their indicator packages; HQ receives, checks,
consolidates and follows up (docs/indicators-upload.md)."""
