/** The token endpoint's error body `{"error", "error_description"}`, HTTP 400 (salesforce-api.md §1.4). */
export class OAuthError extends Error {
  readonly error: string;
  readonly status: number;

  constructor(error: string, description: string, status = 400) {
    super(description);
    this.name = "OAuthError";
    this.error = error;
    this.status = status;
  }

  toBody(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.message };
  }
}

export const invalidGrant = (description: string): OAuthError => new OAuthError("invalid_grant", description);
