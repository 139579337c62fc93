// What GraphiQL opens with: the access check and the invoice list, with how to authenticate.

/** How to mint a demo token, exactly as a machine with only Node and npm runs it (printed everywhere). */
export const TOKEN_COMMAND = 'npx -y pnpm@10.34.9 run token';

export const GRAPHIQL_DEFAULT_QUERY = `# Billing gateway. In development the Headers tab starts with Ada's token (the first demo user).
# To be someone else, replace it (Headers tab):
#   { "Authorization": "Bearer <token>" }   (tokens are printed when the gateway starts,
#     or run: ${TOKEN_COMMAND} ada@contoso.example)
#   { "X-Api-Key": "bgk_..." }               (partner API keys)
# Then run "CheckMyAccess", then "Invoices" with an account id from the first answer.

query CheckMyAccess {
  viewer {
    kind
    user { displayName email }
    billingAccounts {
      id
      displayName
      agreementType
      viewerRole
      viewerIsAdmin
      viewerPermissions { canReadInvoices canManagePaymentMethods canPayInvoices canManageApiKeys }
    }
  }
}

query Invoices($accountId: ID!) {
  billingAccount(id: $accountId) {
    invoices(first: 10, filter: { statuses: [DUE, PAST_DUE] }, orderBy: { field: DUE_DATE, direction: ASC }) {
      totalCount
      nodes { id number status dueDate amountDue { amount currency } viewerCanPay billingProfile { displayName } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
`;
