"""The simulator's domains, one module each, registered in DOMAINS (the one place).

The month loop (simulator/generate.py) runs each hook of ``simulator.context.Domain`` for every
domain in this order, so the order is part of the output: a domain comes after the domains whose
results it reads, and the draws of the shared random stream happen in this order.

Adding an interface (after it is in jingfen/interfaces.py):
1. a module here with a ``Domain`` subclass whose ``interfaces`` names it, overriding the hooks it
   needs (``write_month`` for a monthly snapshot; ``simulate_month`` to change state first);
2. its instance appended to DOMAINS (after the domains it reads);
3. its random draws from ``sim.stream("<module name>")``, not ``sim.rng``, so the files every
   existing interface writes for a seed stay byte-identical;
4. state it keeps between months in ``simulator.state.State``, records it hands on in
   ``simulator.records``.
tests/simulator/test_simulator_domains.py checks that every interface has exactly one domain.
"""

from __future__ import annotations

from simulator.context import Domain
from simulator.domains.billing import BillingDomain
from simulator.domains.channels import ChannelsDomain
from simulator.domains.complaints import ComplaintsDomain
from simulator.domains.customers import CustomersDomain
from simulator.domains.network import NetworkDomain
from simulator.domains.payments import PaymentsDomain
from simulator.domains.service import ServiceDomain
from simulator.domains.subscribers import SubscribersDomain
from simulator.domains.usage import UsageDomain

DOMAINS: tuple[Domain, ...] = (
    SubscribersDomain(),  # churn, arrivals, products, suspensions: SUBS, EVNT
    CustomersDomain(),  # CUST
    UsageDomain(),  # USGM, USGD
    BillingDomain(),  # BILL
    PaymentsDomain(),  # PAYM (and the suspensions for arrears they cause)
    ComplaintsDomain(),  # CMPL
    ChannelsDomain(),  # CHNL, CMSN
    NetworkDomain(),  # CELL
    ServiceDomain(),  # HOTL, AGNT, WORK, APPL, CIRC (own streams; reads dissatisfaction, outages)
)
