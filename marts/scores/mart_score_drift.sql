{{ config(materialized='table') }}

{#- 模型监控 — one row per scored month per monitored variable (the churn score and the model's
    top features): PSI against the previous month and its status. -#}

with

drift as (
    {{ score_source('score_drift', {
        'score_month': 'date', 'variable': 'string', 'reference_month': 'date',
        'psi': 'float', 'status': 'string',
    }) }}
)

select
    -- ids
    score_month,
    variable,
    -- dimensions
    reference_month,
    status,
    -- measures
    psi
from drift
