{#- The churn score table ml/ writes (ml.churn_scores: score_month, subs_id, p_churn; see
    ml/churn.py), or None while it does not exist yet (ml/ scores after the first build): marts
    that join it then fall back to their rule-based signals. Looked up at execution time in schema
    var('churn_scores_schema', 'ml'), table var('churn_scores_table', 'churn_scores'). -#}
{% macro churn_scores_relation() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=target.database,
        schema=var('churn_scores_schema', 'ml'),
        identifier=var('churn_scores_table', 'churn_scores')) -%}
    {{ return(relation) }}
{%- endmacro %}
