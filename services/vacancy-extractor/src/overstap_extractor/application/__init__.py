"""Use cases: extraction (text in, skills and occupations out) and vacancies (the job boards' store and the
matcher's feed). Access rules live here; gRPC and the database sit on either side."""
